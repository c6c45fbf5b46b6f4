// The full syncs and the AOF rewrite of test/fixtures/replication/, each measured on a master
// and replica redis-server of its own by src/harness/sync-probe.ts (what it samples, and why,
// is written there; the mechanism behind what it sees: validation/REPLICATION.md).
//
//   npx tsx validation/sync-probe.ts <run> [--out DIR] [--port N]   runs: disk-sync diskless-sync
//       disk-sync-obuf-loop aof-rewrite disk-sync-obuf-save-rule disk-sync-two-replicas
//   --port N: the master on N, its replicas on N+1, N+2 (free ports when absent)
import { runSyncProbe, type SyncProbeRun, type SyncProbeSpec } from '../src/harness/sync-probe.js';
import { probeMain } from './probe-command.js';

const MiB = 2 ** 20;

const BASE = { datasetMib: 256, valueBytes: 1024, writesPerSec: 4000, saveTargetSec: 8, afterSettleSec: 2, disklessSyncDelaySec: 5 } as const;

export const RUNS: Record<string, SyncProbeSpec> = {
  'disk-sync': {
    ...BASE,
    description: 'disk-based full sync (repl-diskless-sync no), default replica output-buffer limits, a load that stays under them',
    trigger: 'full-sync',
    diskless: false,
    horizonSec: 60,
    maxForks: 3,
  },
  'diskless-sync': {
    ...BASE,
    description: 'diskless full sync (repl-diskless-sync yes, repl-diskless-sync-delay 5, the 7.0 defaults), default output-buffer limits',
    trigger: 'full-sync',
    diskless: true,
    horizonSec: 60,
    maxForks: 3,
  },
  'disk-sync-obuf-loop': {
    ...BASE,
    description: 'disk-based full sync with client-output-buffer-limit replica 8mb 4mb 10: the load passes the hard limit during every save',
    trigger: 'full-sync',
    diskless: false,
    outputBufferLimit: { hardBytes: 8 * MiB, softBytes: 4 * MiB, softSec: 10 },
    horizonSec: 40,
    maxForks: 10,
  },
  'disk-sync-obuf-save-rule': {
    ...BASE,
    description:
      'as disk-sync-obuf-loop, with a save rule on the master (save "3600 1000000", never due in the run): a dropped replica does not kill the save child',
    trigger: 'full-sync',
    diskless: false,
    outputBufferLimit: { hardBytes: 8 * MiB, softBytes: 4 * MiB, softSec: 10 },
    saveRule: '3600 1000000',
    horizonSec: 40,
    maxForks: 10,
  },
  'disk-sync-two-replicas': {
    ...BASE,
    description: 'disk-based full sync to two replicas sent REPLICAOF together, default output-buffer limits',
    trigger: 'full-sync',
    diskless: false,
    replicas: 2,
    horizonSec: 60,
    maxForks: 3,
  },
  'aof-rewrite': {
    ...BASE,
    description: 'BGREWRITEAOF with appendonly yes and aof-use-rdb-preamble yes under the same load, no replica',
    trigger: 'aof-rewrite',
    diskless: false,
    horizonSec: 60,
    maxForks: 1,
  },
};

/** One fixture sample per line, so a diff shows which moments changed. */
function formatRun(run: SyncProbeRun): string {
  const { series, log, ...rest } = run;
  const head = JSON.stringify(rest, null, 2).slice(0, -2);
  const lines = (xs: unknown[]) => xs.map((x) => '    ' + JSON.stringify(x)).join(',\n');
  const logs = Object.entries(log).map(([who, xs]) => `    ${JSON.stringify(who)}: [\n${lines(xs).replace(/^/gm, '  ')}\n    ]`);
  return `${head},\n  "log": {\n${logs.join(',\n')}\n  },\n  "series": [\n${lines(series)}\n  ]\n}\n`;
}

probeMain(import.meta.url, {
  tool: 'sync-probe',
  runs: RUNS,
  fixtureDir: 'test/fixtures/replication',
  acceptsPort: true,
  measure: (name, spec, log, _outDir, port) => runSyncProbe(name, spec, log, { port, command: `npx tsx validation/sync-probe.ts ${name}` }),
  format: formatRun,
});
