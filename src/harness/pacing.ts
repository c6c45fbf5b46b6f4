// Open-loop pacing of the write load: the offered count grows at the scenario's rate, and
// writes that fall due while the in-flight window is full are dropped rather than queued, so
// a server slowed by copy-on-write faults serves fewer writes instead of a later burst (the
// ground truth's writer did the same; its `dropped` counts them).

/** In-flight writes allowed per connection: ~8 MiB of values, between 16 and 5000 commands. */
export function defaultMaxInflight(valueBytes: number): number {
  return Math.max(16, Math.min(5000, Math.floor((8 * 2 ** 20) / valueBytes)));
}

export interface PaceStep {
  /** Writes to send now. */
  send: number;
  /** Writes that fell due but found the window full. */
  drop: number;
}

export class RatePacer {
  private due = 0;
  dropped = 0;

  constructor(
    readonly writesPerSec: number,
    readonly maxInflight: number,
  ) {
    if (!(writesPerSec >= 0 && Number.isFinite(writesPerSec))) throw new RangeError(`writesPerSec must be >= 0, got ${writesPerSec}`);
    if (!(Number.isInteger(maxInflight) && maxInflight >= 1)) throw new RangeError(`maxInflight must be a positive integer, got ${maxInflight}`);
  }

  /** Writes offered so far, sent or dropped. */
  get offered(): number {
    return this.due;
  }

  /** What to do `elapsedSec` after the start with `inflight` writes unanswered. */
  step(elapsedSec: number, inflight: number): PaceStep {
    const dueNow = Math.floor(this.writesPerSec * Math.max(0, elapsedSec)) - this.due;
    if (dueNow <= 0) return { send: 0, drop: 0 };
    const send = Math.min(dueNow, Math.max(0, this.maxInflight - inflight));
    const drop = dueNow - send;
    this.due += dueNow;
    this.dropped += drop;
    return { send, drop };
  }
}
