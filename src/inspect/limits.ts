// How much an inspection reads from a live instance, by default and at most.

export const INSPECT_DEFAULTS = {
  /** Keys sampled: the larger segments' counts to about ±1% (1/√n), in seconds of pipelined reads. */
  sampleKeys: 10_000,
  /**
   * Seconds between the two commandstats readings (exact counters): a one-second burst moves a
   * 10 s mean by a tenth at most, and OBJECT IDLETIME's one-second resolution is a tenth of it.
   */
  observeSec: 10,
} as const;

export const INSPECT_LIMITS = {
  /** About seven read-only commands a key: 700,000 commands, a few seconds of one Redis core at 10⁵–10⁶ simple commands/s. */
  maxSampleKeys: 100_000,
  maxObserveSec: 300,
  /** Sampling stops here and keeps what it read, whatever the sample size asked. */
  sampleDeadlineSec: 120,
  /** Keys per pipelined batch: one round trip reads this many. */
  batchKeys: 100,
  /** Random elements read per aggregate for their mean size. */
  elementsPerKey: 3,
  connectTimeoutMs: 10_000,
  commandTimeoutMs: 10_000,
} as const;
