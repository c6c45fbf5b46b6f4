// One small real scenario end to end: a redis-server of the test's own, a paced load, BGSAVE
// sampled until the child exits, the engine scored on the measurement. Does not touch THP.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationScenarioSchema } from '../../src/measured-run/validation-scenario.js';
import { isPortFree } from '../../src/harness/free-port.js';
import { measureScenario } from '../../src/harness/measure.js';
import { readProcStat } from '../../src/harness/proc.js';
import { PEAK_COW_TOLERANCE, scoreRun } from '../../src/validation/score.js';
import { THP_ENABLED_PATH } from '../../src/harness/thp.js';

const MiB = 2 ** 20;

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return `needs Linux /proc, this is ${process.platform}`;
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'redis-server is not on PATH';
  }
  return undefined;
}

const reason = skipReason();
const thpSetting = () => (existsSync(THP_ENABLED_PATH) ? readFileSync(THP_ENABLED_PATH, 'utf8') : undefined);

describe.skipIf(reason !== undefined)(`validate one real scenario end to end${reason ? ` (skipped: ${reason})` : ''}`, () => {
  it('measures real CoW, finds the engine within tolerance, and leaves nothing running', async () => {
    const thpBefore = thpSetting();
    const scenario = ValidationScenarioSchema.parse({
      name: 'it-u2k-128m-100b',
      dataset_mib: 128,
      value_bytes: 100,
      write_rate: 2000,
      snapshot_seconds: 4.5,
      probe_seconds: 1.5,
    });
    const run = await measureScenario(scenario);
    const { score } = scoreRun(run);

    // 2,000 SET/s over ~700k keys for seconds: tens of MiB copied (ground truth: ~5 KiB per key written).
    expect(run.summary.writes_during_snapshot).toBeGreaterThan(4000);
    expect(run.summary.peak_cow_bytes).toBeGreaterThan(16 * MiB);
    expect(run.summary.peak_cow_bytes).toBeGreaterThan(run.summary.distinct_keys_written_during_snapshot * 2048);
    expect(run.series.filter((s) => s.child_private_dirty_bytes !== null).length).toBeGreaterThan(20);
    expect(Math.abs(score.peakError), `peak CoW error ${(100 * score.peakError).toFixed(1)}%`).toBeLessThan(PEAK_COW_TOLERANCE);

    // Nothing left behind: server and child gone, port free, temp dir removed, THP untouched.
    expect(readProcStat(run.environment.redis_pid)).toBeUndefined();
    expect(readProcStat(run.environment.bgsave_child_pid)).toBeUndefined();
    expect(await isPortFree(run.environment.redis_port)).toBe(true);
    expect(existsSync(run.environment.redis_dir)).toBe(false);
    expect(thpSetting()).toBe(thpBefore);
  }, 90_000);
});
