// The verdict a person reads first: does the host survive the fork event, and by how much.
// Read off the OOM summary (the same peak, limit and moment), so the two never disagree.

import type { Summary, Verdict } from '../schemas/result.js';
import { formatBytes, formatPercent, formatRoundBytes, formatSeconds, sizeUnitFor } from './human-units.js';
import { round } from './numbers.js';

export function verdictOf(oom: Summary['oom'], marginPercent: number): Verdict {
  const { limitBytes: limit, peakBytes: peak } = oom;
  if (limit === null) {
    return {
      level: null,
      headroomBytes: null,
      headroomPercent: null,
      text: `PEAK ${formatBytes(peak)} at ${formatSeconds(oom.peakAtSec)}: no host limit given (host.memoryBytes), so no verdict`,
    };
  }
  const unit = sizeUnitFor(Math.max(limit, peak));
  const headroom = limit - peak;
  const headroomPercent = (100 * headroom) / limit;
  const of = `peak ${formatBytes(peak, unit)} of ${formatRoundBytes(limit, unit)}`;
  if (peak > limit) {
    const at = oom.firstExceededAtSec ?? oom.peakAtSec;
    return { level: 'oom', headroomBytes: headroom, headroomPercent: round(headroomPercent, 3), text: `OOM at ${formatSeconds(at)}: ${of}` };
  }
  const level = headroomPercent < marginPercent ? 'tight' : 'ok';
  const spare = `${formatBytes(headroom, unit)} (${formatPercent(headroomPercent)}) headroom`;
  return {
    level,
    headroomBytes: headroom,
    headroomPercent: round(headroomPercent, 3),
    text: `SURVIVES: ${of}, ${spare}${level === 'tight' ? `, below the ${String(marginPercent)}% margin` : ''}`,
  };
}
