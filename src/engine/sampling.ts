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
