import { describe, expect, it } from 'vitest';
import type { SyncProbeRun } from '../harness/sync-probe.js';
import { renderSyncTable, setupLabel, type SyncTableRow } from './sync-report.js';
import type { SyncScore } from './sync-score.js';

const MiB = 2 ** 20;
type Spec = SyncProbeRun['spec'];
const spec = (over: Partial<Spec> = {}): Spec => ({
  description: 'd',
  trigger: 'full-sync',
  diskless: false,
  disklessSyncDelaySec: 5,
  datasetMib: 256,
  valueBytes: 1024,
  writesPerSec: 4000,
  saveTargetSec: 8,
  horizonSec: 40,
  maxForks: 10,
  afterSettleSec: 2,
  ...over,
});

const score = (bufferError: number, dropped: [boolean, boolean]): SyncScore => ({
  name: 'loop',
  trigger: 'full-sync',
  replicationBuffer: { measuredBytes: 8 * MiB, simulatedBytes: 8 * MiB * (1 + bufferError), error: bufferError, within: Math.abs(bufferError) <= 0.15 },
  masterMemory: { measuredBytes: 340 * MiB, simulatedBytes: 325 * MiB, error: -15 / 340, within: true },
  disconnect: { measured: dropped[0], simulated: dropped[1] },
  forks: { measured: 10, simulated: 11 },
  fullSyncs: { measured: 11, simulated: 11 },
  cowPeak: { measuredBytes: 64 * MiB, simulatedBytes: 48 * MiB, error: -0.25 },
  withinTolerance: Math.abs(bufferError) <= 0.15 && dropped[0] === dropped[1],
});
const row = (s: SyncScore): SyncTableRow => ({ name: 'loop', setup: 'disk', writeRateTarget: 4000, writeRateAchieved: 3999.6, saveSec: 7.63, score: s });

describe('full-sync table', () => {
  it('names the setup in redis.conf words', () => {
    expect(setupLabel(spec())).toBe('disk, limit 256mb 64mb 60, save ""');
    expect(setupLabel(spec({ outputBufferLimit: { hardBytes: 8 * MiB, softBytes: 4 * MiB, softSec: 10 }, saveRule: '3600 1000000' }))).toBe(
      'disk, limit 8mb 4mb 10, save "3600 1000000"',
    );
    expect(setupLabel(spec({ diskless: true, replicas: 2 }))).toBe('diskless, delay 5 s, limit 256mb 64mb 60, save "", 2 replicas');
    expect(setupLabel(spec({ trigger: 'aof-rewrite' }))).toBe('BGREWRITEAOF, save ""');
  });

  it('renders measured against simulated, and fails a row on a mispredicted drop', () => {
    const lines = renderSyncTable([row(score(0.007, [true, true])), row(score(0.007, [true, false]))]).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe('| loop | disk | 4000 → 4000 | 7.63 | 10 → 11 | 11 → 11 | yes · yes | 8.0 | 8.1 | +0.7% | 340.0 | 325.0 | -4.4% | 64.0 | 48.0 | -25.0% | yes |');
    expect(lines[3]).toMatch(/\| yes · no \|.*\| \*\*no\*\* \|$/);
  });
});
