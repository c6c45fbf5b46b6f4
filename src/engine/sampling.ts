// When the series is sampled: every interval from fork() to the child's exit, the exit itself,
// and a short tail after it that shows the parent alone; the interval widens to fit maxPoints.

export interface Sampling {
  /** Increasing, from 0; the child's exit is one of them. */
  timesSec: number[];
  /** The interval in force after widening. */
  intervalSec: number;
}

export function sampling(durationSec: number, intervalSec: number, maxPoints: number): Sampling {
  const tail = Math.max(0.05 * durationSec, Math.min(1, durationSec));
  const total = durationSec + tail;
  let interval = intervalSec;
  // Two points are the fork and the exit alone.
  if (Math.ceil(total / interval) + 2 > maxPoints) interval = maxPoints > 2 ? total / (maxPoints - 2) : durationSec;
  const times: number[] = [];
  for (let k = 0; k * interval < durationSec; k++) times.push(k * interval);
  times.push(durationSec);
  for (let k = Math.floor(durationSec / interval) + 1; k * interval <= total + 1e-9 && times.length < maxPoints; k++) {
    // durationSec / interval can round below an integer k whose grid time is the exit itself.
    if (k * interval > durationSec) times.push(k * interval);
  }
  return { timesSec: times, intervalSec: interval };
}

/**
 * Samples over a fork event: the grid, every moment a child starts or ends (so that no child
 * begins or ends inside a step), and the tail after the event's end. A single child from 0
 * to the event's end is sampled as above.
 */
export function eventSampling(boundariesSec: readonly number[], endSec: number, intervalSec: number, maxPoints: number): Sampling {
  const marks = [...new Set(boundariesSec.filter((t) => t > 0 && t <= endSec))].sort((a, b) => a - b);
  if (marks.length === 1 && marks[0] === endSec) return sampling(endSec, intervalSec, maxPoints);
  const tail = Math.max(0.05 * endSec, Math.min(1, endSec));
  const total = endSec + tail;
  const room = Math.max(2, maxPoints - marks.length);
  const interval = Math.ceil(total / intervalSec) + 2 > room ? total / Math.max(1, room - 2) : intervalSec;
  const grid: number[] = [];
  for (let k = 0; k * interval <= total + 1e-9; k++) grid.push(k * interval);
  // Grid points within a microsecond of a mark would make empty steps.
  const apart = (t: number) => marks.every((m) => Math.abs(m - t) > 1e-6);
  const times = [...grid.filter(apart), ...marks].sort((a, b) => a - b);
  return { timesSec: times.slice(0, Math.max(maxPoints, marks.length + 1)), intervalSec: interval };
}
