// How large a scenario the engine accepts: the bounds the scenario schema enforces on every
// size a client controls, and the engine's own checks on what a run resolves to.

const KiB = 1024;
const MiB = 1024 * KiB;
const TiB = 1024 * 1024 * MiB;

export const LIMITS = {
  maxKeys: 1e10,
  maxValueBytes: 512 * MiB,
  maxKeyBytes: 64 * KiB,
  /** Below this a heap is mostly the server's own startup memory. */
  minUsedMemoryBytes: MiB,
  maxUsedMemoryBytes: 4 * TiB,
  maxWritesPerSec: 1e7,
  maxDurationSec: 86_400,
  minSaveThroughputBytesPerSec: MiB,
  maxSaveThroughputBytesPerSec: 1000 * 1000 * MiB,
  minHostMemoryBytes: MiB,
  maxHostMemoryBytes: 64 * TiB,
  maxPoints: 100_000,
  maxFragmentationRatio: 10,
  maxScheduleSteps: 10_000,
  maxSecondsSincePreviousFork: 7 * 86_400,
  maxReplicas: 64,
  maxSegments: 64,
  maxProvenanceEntries: 500,
  /** 2^32 − 1: what a listpack, intset or quicklist counts, and far past any real key. */
  maxElementsPerKey: 4_294_967_295,
  maxElementBytes: 512 * MiB,
  /** A year: longer TTLs do not expire during any fork. */
  maxTtlSec: 366 * 86_400,
  /** A day of fork events: a disconnect loop is seen well before. */
  maxHorizonSec: 86_400,
} as const;

/** Exact mode walks every write: bound the work. */
export const EXACT_MAX_WRITES = 2e9;
/** Exact mode keeps a bit per page and per key, indexed by 32-bit integers. */
export const EXACT_MAX_PAGES = 2 ** 32;
