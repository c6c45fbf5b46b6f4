// The scenario: the one contract between engine, CLI and HTTP API. Every field has a default
// or is required, and every size a client controls has a limit; both are the engine's.
import {
  DEFAULT_DELETE_FRACTION,
  DEFAULT_DISABLE_THP,
  DEFAULT_DISKLESS_LOAD,
  DEFAULT_DISKLESS_SYNC_DELAY_SEC,
  DEFAULT_HOST_KIND,
  DEFAULT_HZ,
  DEFAULT_MARGIN_PERCENT,
  DEFAULT_MAX_FULL_SYNCS,
  DEFAULT_PAGE_CACHE_AT_FORK_BYTES,
  DEFAULT_RDB_ON_TMPFS,
  DEFAULT_RDB_SAVE_INCREMENTAL_FSYNC,
  DEFAULT_REPLICA_STARTS_EMPTY,
  DEFAULT_REPLICAS,
  DEFAULT_SAVE_CONFIGURED,
  DEFAULT_TRIGGER,
  DEFAULT_KEY_DISTRIBUTION,
  DEFAULT_MAX_POINTS,
  DEFAULT_MODE,
  DEFAULT_NEW_KEY_FRACTION,
  DEFAULT_PLATFORM,
  DEFAULT_REDIS_VERSION,
  DEFAULT_SAMPLE_INTERVAL_SEC,
  DEFAULT_SECONDS_SINCE_PREVIOUS_FORK,
  DEFAULT_SEED,
  DEFAULT_SERVICE_USEC_PER_WRITE,
  DEFAULT_THP,
  DEFAULT_THP_COW,
  DEFAULT_WRITES_PER_SEC,
} from '../engine/defaults.js';
import type { KeyDistribution } from '../engine/key-distribution.js';
import { LIMITS } from '../engine/limits.js';
import { PLATFORM_IDS } from '../engine/platforms.js';
import { DEFAULT_BACKLOG_BYTES } from '../engine/replication-buffer.js';
import { DEFAULT_LINK_BYTES_PER_SEC, DEFAULT_OUTPUT_BUFFER_LIMIT, DEFAULT_REPLICA_LOAD_BYTES_PER_SEC, DEFAULT_SOCKET_BUFFER_BYTES } from '../engine/replication.js';
import { DatasetSchema } from './dataset.js';
import { DEFAULT_ENCODING_CONFIG } from '../engine/encodings.js';
import { KeyDistributionSchema } from './key-distribution.js';
import { byteSize } from './units.js';
import { z } from './zod.js';

const fraction = (description: string) => z.number().min(0).max(1).openapi({ description });

export { KeyDistributionSchema };

const WorkloadSchema = z
  .object({
    writesPerSec: z.number().min(0).max(LIMITS.maxWritesPerSec).default(DEFAULT_WRITES_PER_SEC).openapi({ description: 'Offered writes per second.' }),
    writeSchedule: z
      .array(
        z
          .object({
            fromSec: z.number().min(0).max(LIMITS.maxDurationSec * 2),
            writesPerSec: z.number().min(0).max(LIMITS.maxWritesPerSec),
          })
          .strict(),
      )
      .max(LIMITS.maxScheduleSteps)
      .optional()
      .openapi({
        description:
          'Offered rate as steps in time since fork(): each step holds from `fromSec` until the next; `writesPerSec` applies before the first.',
      }),
    keyDistribution: KeyDistributionSchema.default(DEFAULT_KEY_DISTRIBUTION),
    newKeyFraction: fraction('Share of writes that insert new keys (memory grows, nothing is copied).').default(DEFAULT_NEW_KEY_FRACTION),
    deleteFraction: fraction('Share of writes that delete keys.').default(DEFAULT_DELETE_FRACTION),
    serviceUsecPerWrite: z
      .number()
      .min(0.1)
      .max(100_000)
      .default(DEFAULT_SERVICE_USEC_PER_WRITE)
      .openapi({ description: 'Main-thread CPU per write excluding copy-on-write faults, µs.' }),
    latencyBudgetMs: z
      .number()
      .gt(0)
      .max(LIMITS.maxDurationSec * 1000)
      .optional()
      .openapi({
        description:
          'The longest main-thread stall your clients tolerate, ms (a client timeout, a latency SLO). A fork() pause above it raises the FORK_STALL_OVER_BUDGET warning; absent: no budget.',
      }),
    replicationBytesPerWrite: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.maxValueBytes * 2)
      .optional()
      .openapi({
        description:
          'Bytes one write adds to the replication stream and the AOF; default: the RESP framing of `SET <key> <value>` at the dataset’s key and value sizes.',
      }),
  })
  .strict()
  .superRefine((w, ctx) => {
    w.writeSchedule?.forEach((step, i, all) => {
      if (i > 0 && step.fromSec <= all[i - 1]!.fromSec) {
        ctx.addIssue({ code: 'custom', path: ['writeSchedule', i, 'fromSec'], message: 'steps must be in increasing fromSec order' });
      }
    });
    if (w.newKeyFraction + w.deleteFraction > 1) {
      ctx.addIssue({ code: 'custom', path: ['deleteFraction'], message: 'newKeyFraction + deleteFraction must not exceed 1' });
    }
  });

const SnapshotSchema = z
  .object({
    trigger: z.enum(['bgsave', 'aof-rewrite', 'full-sync']).default(DEFAULT_TRIGGER).openapi({
      description:
        'What forks: `bgsave` (an RDB save), `aof-rewrite` (BGREWRITEAOF with aof-use-rdb-preamble yes; 6.2 adds the rewrite buffer), `full-sync` (a master serving a full synchronization to `replication.replicas`, with every fork a disconnect loop brings).',
    }),
    rdbBytes: byteSize(0, LIMITS.maxUsedMemoryBytes)
      .optional()
      .openapi({
        description:
          'Size of the RDB file a save writes (and a full sync transfers). Default: estimated from the dataset as if nothing compressed; real data compresses very differently, so give the size of your dump.rdb.',
      }),
    rdbOnTmpfs: z
      .boolean()
      .default(DEFAULT_RDB_ON_TMPFS)
      .openapi({ description: 'The RDB is written to tmpfs (a memory-backed emptyDir): its pages are shmem, never reclaimable.' }),
    durationSec: z.number().gt(0).max(LIMITS.maxDurationSec).optional().openapi({ description: 'Child lifetime, seconds.' }),
    throughputBytesPerSec: byteSize(LIMITS.minSaveThroughputBytesPerSec, LIMITS.maxSaveThroughputBytesPerSec)
      .optional()
      .openapi({ description: 'Save throughput; duration = used_memory / throughput when durationSec is absent.' }),
    secondsSincePreviousFork: z
      .union([z.number().min(0).max(LIMITS.maxSecondsSincePreviousFork), z.literal('none')])
      .default(DEFAULT_SECONDS_SINCE_PREVIOUS_FORK)
      .openapi({
        description:
          'Seconds between the previous fork and this one, with the write load running at writesPerSec: pages written since then still have writable page-table entries, which fork() must write-protect (about 3× the cost per GiB). 0: the previous snapshot has just ended; your save interval for periodic saves; "none" for the first fork after a restart, load or full sync (every entry writable).',
      }),
    previousSnapshotSec: z
      .number()
      .min(0)
      .max(LIMITS.maxDurationSec)
      .optional()
      .openapi({
        description:
          'How long the previous fork’s child lived under the write load; default: as long as this one (at most secondsSincePreviousFork). On huge pages every huge page written meanwhile was split into 4 KiB entries, and this fork copies them one by one until khugepaged rebuilds them (16 MiB per 10 s).',
      }),
  })
  .strict();

const KernelSchema = z
  .object({
    thp: z.enum(['never', 'always']).default(DEFAULT_THP).openapi({ description: '/sys/kernel/mm/transparent_hugepage/enabled.' }),
    thpCow: z
      .enum(['split-4k', 'copy-2m'])
      .default(DEFAULT_THP_COW)
      .openapi({ description: 'Copy unit on a write to a shared huge page: Linux ≥ 5.8 splits and copies 4 KiB; older kernels copy 2 MiB.' }),
    platform: z.enum(PLATFORM_IDS).default(DEFAULT_PLATFORM).openapi({ description: 'Fork and fault cost preset (GET /v1/presets).' }),
    forkUsecPerGiB: z
      .number()
      .gt(0)
      .max(1e7)
      .optional()
      .openapi({ description: 'Overrides the preset fork cost per GiB of 4 KiB-mapped RSS whose page-table entries are write-protected.' }),
    forkWritableUsecPerGiB: z
      .number()
      .gt(0)
      .max(1e7)
      .optional()
      .openapi({
        description: 'Overrides the fork cost per GiB of 4 KiB-mapped RSS whose entries are writable; forkUsecPerGiB × the reference ratio (3.25) when only that is given.',
      }),
    forkUsecPerGiBHuge: z
      .number()
      .gt(0)
      .max(1e7)
      .optional()
      .openapi({ description: 'Overrides the fork cost per GiB mapped by huge pages (PMDs write-protected; writable ones cost the preset ratio more).' }),
    cowFaultUsec: z.number().gt(0).max(1e5).optional().openapi({ description: 'Overrides the preset cost of one 4 KiB copy-on-write fault.' }),
  })
  .strict();

/** The thresholds that pick an aggregate's encoding, as redis.conf names them (7.0.15 defaults, `src/config.c`). */
const EncodingConfigSchema = z
  .object({
    'hash-max-listpack-entries': z.number().int().min(0).max(LIMITS.maxElementsPerKey).default(DEFAULT_ENCODING_CONFIG['hash-max-listpack-entries']),
    'hash-max-listpack-value': z.number().int().min(0).max(LIMITS.maxElementBytes).default(DEFAULT_ENCODING_CONFIG['hash-max-listpack-value']),
    'set-max-intset-entries': z.number().int().min(0).max(LIMITS.maxElementsPerKey).default(DEFAULT_ENCODING_CONFIG['set-max-intset-entries']),
    'zset-max-listpack-entries': z.number().int().min(0).max(LIMITS.maxElementsPerKey).default(DEFAULT_ENCODING_CONFIG['zset-max-listpack-entries']),
    'zset-max-listpack-value': z.number().int().min(0).max(LIMITS.maxElementBytes).default(DEFAULT_ENCODING_CONFIG['zset-max-listpack-value']),
    'list-max-listpack-size': z
      .number()
      .int()
      .min(-5)
      .max(LIMITS.maxElementsPerKey)
      .refine((v) => v !== 0, { message: 'list-max-listpack-size is a count (> 0) or a size class -1 … -5' })
      .default(DEFAULT_ENCODING_CONFIG['list-max-listpack-size']),
  })
  .strict()
  .openapi({ description: 'Encoding thresholds (CONFIG GET names); a key past one is converted to the big encoding.' });

const RedisSchema = z
  .object({
    version: z.enum(['6.2', '7.0']).default(DEFAULT_REDIS_VERSION).openapi({ description: '7.0 adds dismiss of saved values and INFO current_cow_peak.' }),
    disableThp: z.boolean().default(DEFAULT_DISABLE_THP).openapi({ description: 'redis.conf disable-thp (default yes since 6.2).' }),
    saveConfigured: z.boolean().default(DEFAULT_SAVE_CONFIGURED).openapi({
      description:
        'A `save` rule is in force (Redis’s built-in default `3600 1 300 100 60 10000` is when redis.conf sets none; `save ""` removes it). Without one, a disk child whose only replica drops is killed (PR #7819).',
    }),
    rdbSaveIncrementalFsync: z
      .boolean()
      .default(DEFAULT_RDB_SAVE_INCREMENTAL_FSYNC)
      .openapi({ description: 'rdb-save-incremental-fsync: the child fsyncs every 4 MiB, so little of the file is dirty at once.' }),
    hz: z.number().int().min(1).max(500).default(DEFAULT_HZ).openapi({ description: 'hz: serverCron runs this often; children are reaped and buffer limits checked on it.' }),
    config: EncodingConfigSchema.prefault({}),
  })
  .strict();

const HostSchema = z
  .object({
    memoryBytes: byteSize(LIMITS.minHostMemoryBytes, LIMITS.maxHostMemoryBytes)
      .optional()
      .openapi({ description: 'Memory limit for the OOM verdict: the VM’s RAM, or the container’s cgroup v2 memory.max.' }),
    kind: z.enum(['vm', 'container']).default(DEFAULT_HOST_KIND).openapi({
      description:
        '`vm`: the limit is RAM, page cache is reclaimed before anything is killed. `container`: the limit is memory.max, which also charges the page cache (clean pages reclaimable, dirty and tmpfs pages not).',
    }),
    marginPercent: z
      .number()
      .min(0)
      .max(100)
      .default(DEFAULT_MARGIN_PERCENT)
      .openapi({
        description: `Headroom below which summary.verdict calls a surviving host \`tight\`, percent of memoryBytes; default ${DEFAULT_MARGIN_PERCENT} (see the README on the cloud reserves).`,
      }),
    reservedBytes: byteSize(0, LIMITS.maxHostMemoryBytes)
      .optional()
      .openapi({
        description:
          'Memory the limit must also hold besides this Redis (kernel, system daemons, other processes). Default: 0 for a container; for a VM 256 MiB plus the kernel’s free-page reserve min_free_kbytes (√(16 × RAM in KiB), at most 256 MiB).',
      }),
    pageCacheAtForkBytes: byteSize(0, LIMITS.maxHostMemoryBytes)
      .default(DEFAULT_PAGE_CACHE_AT_FORK_BYTES)
      .openapi({
        description:
          'File pages already cached and charged at the fork, such as the previous dump.rdb (dropped when the new file replaces it).',
      }),
  })
  .strict();

const OutputBufferLimitSchema = z
  .object({
    hardBytes: byteSize(0, LIMITS.maxHostMemoryBytes).default(DEFAULT_OUTPUT_BUFFER_LIMIT.hardBytes).openapi({ description: 'Disconnect a replica whose output buffer reaches this; 0 disables.' }),
    softBytes: byteSize(0, LIMITS.maxHostMemoryBytes).default(DEFAULT_OUTPUT_BUFFER_LIMIT.softBytes).openapi({ description: 'Disconnect a replica above this for longer than softSec; 0 disables.' }),
    softSec: z.number().int().min(0).max(LIMITS.maxDurationSec).default(DEFAULT_OUTPUT_BUFFER_LIMIT.softSec),
  })
  .strict()
  .openapi({ description: 'client-output-buffer-limit replica <hard> <soft> <seconds>.' });

const ReplicationSchema = z
  .object({
    replicas: z.number().int().min(1).max(LIMITS.maxReplicas).default(DEFAULT_REPLICAS).openapi({ description: 'Replicas asking for a full sync at once.' }),
    diskless: z
      .boolean()
      .optional()
      .openapi({ description: 'repl-diskless-sync: the child streams the RDB to the replicas instead of writing a file. Default: no on 6.2, yes on 7.0.' }),
    disklessSyncDelaySec: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(DEFAULT_DISKLESS_SYNC_DELAY_SEC)
      .openapi({ description: 'repl-diskless-sync-delay: whole seconds the master waits for more replicas before a diskless fork.' }),
    linkBytesPerSec: byteSize(LIMITS.minSaveThroughputBytesPerSec, LIMITS.maxSaveThroughputBytesPerSec)
      .default(DEFAULT_LINK_BYTES_PER_SEC)
      .openapi({ description: 'Network throughput master → replica; default 1 Gbit/s.' }),
    replicaLoadBytesPerSec: byteSize(LIMITS.minSaveThroughputBytesPerSec, LIMITS.maxSaveThroughputBytesPerSec)
      .optional()
      .openapi({
        description: `RDB bytes per second the replica loads; default ${DEFAULT_REPLICA_LOAD_BYTES_PER_SEC / 1e6} MB/s, measured on a 7.0 replica with 1 KiB values (smaller values load fewer bytes per second).`,
      }),
    disklessLoad: z.enum(['disabled', 'swapdb']).default(DEFAULT_DISKLESS_LOAD).openapi({
      description:
        'repl-diskless-load on the replica: `disabled` saves the transfer to disk, flushes the old dataset and loads; `swapdb` loads from the socket while the old dataset is kept until the swap.',
    }),
    replicaStartsEmpty: z
      .boolean()
      .default(DEFAULT_REPLICA_STARTS_EMPTY)
      .openapi({ description: 'The replica holds no dataset before the sync (new or restarted); false: it holds a copy (it lost its link).' }),
    outputBufferLimit: OutputBufferLimitSchema.prefault({}),
    backlogBytes: byteSize(16 * 1024, LIMITS.maxHostMemoryBytes).default(DEFAULT_BACKLOG_BYTES).openapi({ description: 'repl-backlog-size.' }),
    socketBufferBytes: byteSize(0, 1024 * 1024 * 1024)
      .optional()
      .openapi({
        description:
          `Bytes the TCP connection takes off the master’s buffer while a replica loads without reading; default ${DEFAULT_SOCKET_BUFFER_BYTES}: Linux’s default tcp_wmem max (4 MiB) plus tcp_rmem default (128 KiB).`,
      }),
  })
  .strict()
  .openapi({ description: 'The full sync, for snapshot.trigger `full-sync`.' });

const SimulationSchema = z
  .object({
    mode: z.enum(['expected', 'exact']).default(DEFAULT_MODE).openapi({ description: 'expected: analytic; exact: write-by-write Monte Carlo.' }),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(DEFAULT_SEED),
    sampleIntervalSec: z.number().min(0.001).max(3600).optional().openapi({ description: `Series step; default ${DEFAULT_SAMPLE_INTERVAL_SEC} s, widened to fit maxPoints.` }),
    maxPoints: z.number().int().min(2).max(LIMITS.maxPoints).default(DEFAULT_MAX_POINTS),
    horizonSec: z
      .number()
      .gt(0)
      .max(LIMITS.maxHorizonSec)
      .optional()
      .openapi({
        description: `How long a full sync is followed; default: until it settles (every replica loaded) or ${DEFAULT_MAX_FULL_SYNCS} full syncs of a disconnect loop.`,
      }),
  })
  .strict();

const ProvenanceSchema = z
  .record(
    z.string().max(200),
    z
      .object({
        source: z.enum(['measured', 'derived', 'assumed']),
        from: z.string().max(500).optional().openapi({ description: 'What it was read or derived from, e.g. "INFO memory used_memory".' }),
        note: z.string().max(2000).optional(),
      })
      .strict(),
  )
  .refine((r) => Object.keys(r).length <= LIMITS.maxProvenanceEntries, { message: `at most ${LIMITS.maxProvenanceEntries} provenance entries` })
  .openapi('Provenance', {
    description:
      'For each scenario field (dotted path), whether it was measured on the instance, derived from measurements or assumed, and from what. Written by `forkcast inspect`; the engine ignores it.',
  });

export const ScenarioSchema = z
  .object({
    name: z.string().max(200).optional(),
    provenance: ProvenanceSchema.optional(),
    dataset: DatasetSchema,
    allocator: z
      .object({
        fragmentationRatio: z
          .number()
          .min(0.5)
          .max(LIMITS.maxFragmentationRatio)
          .optional()
          .openapi({ description: 'INFO mem_fragmentation_ratio before the fork (below 1 with large values whose tails are never touched); absent means a compact heap.' }),
      })
      .strict()
      .prefault({}),
    workload: WorkloadSchema.prefault({}),
    snapshot: SnapshotSchema.prefault({}),
    kernel: KernelSchema.prefault({}),
    redis: RedisSchema.prefault({}),
    host: HostSchema.prefault({}),
    replication: ReplicationSchema.prefault({}),
    simulation: SimulationSchema.prefault({}),
  })
  .strict()
  .openapi('Scenario', {
    example: {
      name: 'cache, 100 B values',
      dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 },
      workload: { writesPerSec: 10000, keyDistribution: { type: 'uniform' } },
      snapshot: { durationSec: 30 },
    },
  });

export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type Scenario = z.output<typeof ScenarioSchema>;

// The schema produces the engine's own type, not a second one.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
true satisfies Same<z.output<typeof KeyDistributionSchema>, KeyDistribution>;
