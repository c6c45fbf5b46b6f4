import { describe, expect, it } from 'vitest';
import type { Summary } from '../schemas/result.js';
import { verdictOf } from './verdict.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

function oom(limitBytes: number | null, peakBytes: number, firstExceededAtSec: number | null = null): Summary['oom'] {
  return {
    limitBytes,
    headroomBytes: limitBytes === null ? null : limitBytes - peakBytes,
    atRisk: limitBytes === null ? null : peakBytes > limitBytes,
    reservedBytes: 0,
    peakBytes,
    peakAtSec: 12.5,
    firstExceededAtSec,
    components: { parentBytes: 0, cowBytes: 0, replicationBufferBytes: 0, aofRewriteBufferBytes: 0, pageCacheBytes: 0, forkPageTableBytes: 0, reservedBytes: 0 },
  };
}

describe('verdictOf', () => {
  it('is ok at exactly the margin, tight just under it and at the limit, oom just past it', () => {
    const limit = 10 * GiB;
    expect(verdictOf(oom(limit, 9 * GiB), 10).level).toBe('ok');
    expect(verdictOf(oom(limit, 9 * GiB + 1), 10).level).toBe('tight');
    expect(verdictOf(oom(limit, limit), 10).level).toBe('tight');
    expect(verdictOf(oom(limit, limit + 1, 2.1), 10).level).toBe('oom');
    // The margin is the scenario's: at 0 only the limit itself counts.
    expect(verdictOf(oom(limit, limit), 0).level).toBe('ok');
    expect(verdictOf(oom(limit, limit * 0.8), 25).level).toBe('tight');
  });

  it('says it in GiB with one decimal, headroom in bytes and percent of the limit', () => {
    const peak = Math.round(31.3 * GiB);
    const v = verdictOf(oom(32 * GiB, peak), 10);
    expect(v).toEqual({
      level: 'tight',
      headroomBytes: 32 * GiB - peak,
      headroomPercent: 2.188,
      text: 'SURVIVES: peak 31.3 GiB of 32 GiB, 0.7 GiB (2.2%) headroom, below the 10% margin',
    });
    expect(verdictOf(oom(32 * GiB, 20 * GiB), 10).text).toBe('SURVIVES: peak 20.0 GiB of 32 GiB, 12.0 GiB (37.5%) headroom');
  });

  it('names the moment the limit was first passed', () => {
    const v = verdictOf(oom(32 * GiB, 48 * GiB, 2.1), 10);
    expect(v).toEqual({ level: 'oom', headroomBytes: -16 * GiB, headroomPercent: -50, text: 'OOM at 2.1 s: peak 48.0 GiB of 32 GiB' });
    expect(verdictOf(oom(32 * GiB, 48 * GiB, 0.25), 10).text).toBe('OOM at 250 ms: peak 48.0 GiB of 32 GiB');
  });

  it('writes a host under 1 GiB in MiB', () => {
    expect(verdictOf(oom(512 * MiB, 400 * MiB), 10).text).toBe('SURVIVES: peak 400.0 MiB of 512 MiB, 112.0 MiB (21.9%) headroom');
  });

  it('without a limit gives the peak and says no limit was given', () => {
    expect(verdictOf(oom(null, 3.25 * GiB), 10)).toEqual({
      level: null,
      headroomBytes: null,
      headroomPercent: null,
      text: 'PEAK 3.3 GiB at 12.5 s: no host limit given (host.memoryBytes), so no verdict',
    });
  });
});
