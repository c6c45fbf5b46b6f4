// How much an inspection reads from a live instance, by default and at most.

export const INSPECT_DEFAULTS = {
  /** Keys sampled: the larger segments' counts to about ±1% (1/√n), in seconds of pipelined reads. */
  sampleKeys: 10_000,
  /** Seconds between the two commandstats readings: ten one-second LRU ticks, a hundred serverCron runs at hz 10. */
  observeSec: 10,
} as const;

export const INSPECT_LIMITS = {
  /** Seven read-only commands a key: 700,000 commands, seconds of one Redis core. */
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
