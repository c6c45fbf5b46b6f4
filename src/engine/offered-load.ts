// The write rate clients offer over time since fork(): a flat rate, or steps that each hold
// from their start until the next. What the parent serves of it is the timeline's business.

export interface ScheduleStep {
  fromSec: number;
  writesPerSec: number;
}

export interface OfferedLoad {
  /** Offered writes per second before the first step, or throughout without a schedule. */
  writesPerSec: number;
  /** In increasing fromSec order. */
  steps: readonly ScheduleStep[];
  peakWritesPerSec: number;
}

export function offeredLoad(writesPerSec: number, steps: readonly ScheduleStep[] = []): OfferedLoad {
  return { writesPerSec, steps, peakWritesPerSec: Math.max(writesPerSec, ...steps.map((step) => step.writesPerSec)) };
}

/** Writes offered between a and b: the steps integrated exactly, else the flat rate. */
export function offeredWritesBetween(load: OfferedLoad, a: number, b: number): number {
  let writes = 0;
  let from = a;
  let rate = load.writesPerSec;
  for (const step of load.steps) {
    if (step.fromSec >= b) break;
    if (step.fromSec > from) {
      writes += rate * (step.fromSec - from);
      from = step.fromSec;
    }
    rate = step.writesPerSec;
  }
  return writes + rate * (b - from);
}

/** The offered rate in force at t. */
export function offeredRateAt(load: OfferedLoad, t: number): number {
  let rate = load.writesPerSec;
  for (const step of load.steps) {
    if (step.fromSec > t) break;
    rate = step.writesPerSec;
  }
  return rate;
}
