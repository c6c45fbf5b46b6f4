// The simulation result: a columnar time series from fork to child exit (plus a short tail)
// and a summary named after the Redis INFO fields it forecasts.
import { ScenarioSchema } from './scenario.js';
import { z } from './zod.js';

const column = (description: string) => z.array(z.number()).openapi({ description });

export const SeriesSchema = z
  .object({
    tSec: column('Seconds since fork().'),
    copiedPages: column('4 KiB pages copied so far (each one a copy-on-write fault in the parent).'),
    cowBytes: column("Child's Private_Dirty: what Redis reports as current_cow_size; 0 after the child exits."),
    parentRssBytes: column(
      'Parent RSS: the dataset, what inserts added, and the buffers the parent allocates (replication buffer, 6.2 AOF rewrite blocks); copies do not grow it.',
    ),
    childPrivateBytes: column('Memory only the child holds: its copies, and on 6.2 the AOF rewrite diff it reads into its heap.'),
    hostMemoryBytes: column(
      'parent RSS + child private bytes: the anonymous memory of this Redis. Page cache (pageCacheBytes) and the fork’s page tables are not in it; they count in the OOM verdict where they cannot be reclaimed.',
    ),
    writes: column('Writes served since fork().'),
    forkPerc: column('current_fork_perc: keys saved / keys at fork, percent.'),
    faultStallMs: column('Main-thread time spent in copy-on-write faults during the step, ms.'),
    replicationBufferBytes: column(
      'INFO mem_total_replication_buffers: the backlog and what is held for replicas (7.0 one shared copy, 6.2 one per replica). Inside parentRssBytes; outside maxmemory’s count.',
    ),
    aofRewriteBufferBytes: column(
      '6.2 AOF rewrite buffer: the parent’s 10 MB blocks (12 MiB allocated) plus the diff the child has read; 0 on 7.0 and for other triggers. Inside parentRssBytes and childPrivateBytes.',
    ),
    pageCacheBytes: column(
      'File pages the saves wrote to the page cache (an RDB on tmpfs included, as shmem), before any reclaim: charged to a container, reclaimable unless on tmpfs or dirty; under a limit the kernel drops clean ones first (see containerMemoryUsagePeakBytes). Not in hostMemoryBytes.',
    ),
    replicaMemoryBytes: column('used_memory of one replica while it receives and loads the RDB (full sync only).').optional(),
    events: z
      .array(
        z
          .object({ kind: z.enum(['fork', 'replica-disconnected', 'sync-completed', 'child-exited']), tSec: z.number() })
          .openapi({ description: 'What happened when, in seconds since the first request or fork.' }),
      )
      .openapi({ description: 'The fork event’s moments, in time order of their kind.' }),
  })
  .openapi('Series');

export const ChildSchema = z
  .object({
    startSec: z.number(),
    endSec: z.number().openapi({ description: 'When it exited (or was killed), or the end of the horizon.' }),
    killed: z.boolean().openapi({ description: 'Killed when its replica dropped and no save rule needed the file (PR #7819).' }),
    forkUsec: z.number().openapi({ description: 'Its fork() pause.' }),
    cowPeakBytes: z.number(),
    finalCowBytes: z.number(),
    copiedPages: z.number(),
    writes: z.number().openapi({ description: 'Writes served while it lived.' }),
  })
  .openapi('Child', { description: 'One fork of the event and its child.' });

export const OomComponentsSchema = z
  .object({
    parentBytes: z.number().openapi({ description: 'Parent RSS apart from its buffers: the dataset and inserts.' }),
    cowBytes: z.number().openapi({ description: 'The child’s copies.' }),
    replicationBufferBytes: z.number(),
    aofRewriteBufferBytes: z.number(),
    pageCacheBytes: z.number().openapi({ description: 'Unreclaimable page cache: an RDB on tmpfs.' }),
    forkPageTableBytes: z.number().openapi({ description: 'The child’s copy of the page tables.' }),
    reservedBytes: z.number(),
  })
  .openapi('OomComponents', { description: 'The parts of the peak the limit must hold, at the moment of that peak.' });

export const ForkRateGradeSchema = z.enum(['excellent', 'good', 'poor', 'terrible']);

export const SummarySchema = z
  .object({
    keys: z.number(),
    usedMemoryBytes: z.number().openapi({ description: 'INFO used_memory before the fork.' }),
    usedMemoryRssBytes: z.number().openapi({ description: 'INFO used_memory_rss before the fork.' }),
    latestForkUsec: z.number().openapi({ description: 'INFO latest_fork_usec: the main thread is blocked this long.' }),
    forkWritableShare: z
      .number()
      .openapi({ description: 'Share of the mapped memory written since the previous fork: its page-table entries were writable at fork, the costlier kind.' }),
    forkRateGBps: z.number().openapi({ description: 'used_memory / fork time, as LATENCY DOCTOR computes it.' }),
    forkRateGrade: ForkRateGradeSchema,
    rdbBgsaveTimeSec: z.number().openapi({ description: 'Child lifetime (INFO rdb_last_bgsave_time_sec, unrounded).' }),
    cowPeakBytes: z.number().openapi({ description: 'Peak child Private_Dirty: INFO current_cow_peak / 7.0 rdb_last_cow_size.' }),
    cowPeakPercentOfUsedMemory: z.number(),
    rdbLastCowSize: z.number().openapi({ description: 'What INFO rdb_last_cow_size would say: the peak on 7.0, the last value on 6.2.' }),
    finalCowBytes: z.number().openapi({ description: 'Child Private_Dirty just before it exits.' }),
    peakHostMemoryBytes: z.number().openapi({ description: 'Peak of parent RSS + child private bytes.' }),
    copiedPages: z.number().openapi({ description: '4 KiB pages copied during the snapshot.' }),
    copyUnitBytes: z.number(),
    writes: z.number().openapi({ description: 'Writes served while the child lived.' }),
    writesOffered: z.number().openapi({ description: 'Writes offered while the child lived.' }),
    writesPerSecOffered: z.number(),
    writesPerSecAchieved: z.number(),
    distinctKeysWritten: z.number().openapi({ description: 'Expected distinct keys overwritten while the child lived.' }),
    faultStallMsTotal: z.number().openapi({ description: 'Main-thread time spent in copy-on-write faults.' }),
    hugePagesActive: z.boolean(),
    hugePageCoverage: z.number().openapi({ description: 'Share of RSS mapped by huge pages at fork, after the splits the previous snapshot’s writes left.' }),
    dismissActive: z.boolean().openapi({ description: 'Redis 7 child releases saved values that span whole pages.' }),
    oom: z
      .object({
        limitBytes: z.number().nullable(),
        headroomBytes: z.number().nullable(),
        atRisk: z.boolean().nullable(),
        reservedBytes: z.number().openapi({ description: 'host.reservedBytes as resolved.' }),
        peakBytes: z.number().openapi({ description: 'Peak of what the limit must hold: unreclaimable memory plus the reserve.' }),
        peakAtSec: z.number(),
        firstExceededAtSec: z.number().nullable().openapi({ description: 'When it first passed the limit; null when never or without one.' }),
        components: OomComponentsSchema,
      })
      .openapi({
        description:
          'Unreclaimable memory (hostMemoryBytes, the fork’s page tables, an RDB on tmpfs) plus host.reservedBytes against host.memoryBytes; limit, headroom and atRisk null without a limit.',
      }),
    cloudReserve: z
      .object({
        rule: z.literal('aws-elasticache-reserved-memory-percent'),
        reservePercent: z.number(),
        reserveBytes: z.number().nullable(),
        coversPeakCow: z.boolean().nullable(),
      })
      .openapi({ description: 'The reserve a 25% rule of thumb would have kept, beside the forecast.' }),
    trigger: z.enum(['bgsave', 'aof-rewrite', 'full-sync']),
    forks: z.number().openapi({ description: 'Forks in the event (INFO total_forks delta).' }),
    children: z.array(ChildSchema),
    fullSyncs: z.number().openapi({ description: 'Full sync requests served in the horizon, as INFO sync_full counts them; 0 without a full sync.' }),
    syncOutcome: z.enum(['completed', 'disconnect-loop', 'in-progress', 'not-applicable']).openapi({
      description:
        '`completed`: every replica loaded; `disconnect-loop`: replicas were dropped at the output-buffer limit and asked again; `in-progress`: the horizon ended first; `not-applicable`: not a full sync.',
    }),
    syncCompletedAtSec: z.number().nullable(),
    memTotalReplicationBuffersPeakBytes: z.number().openapi({ description: 'Peak INFO mem_total_replication_buffers: backlog + replica buffers, one copy per replica on 6.2.' }),
    aofRewriteBufferPeakBytes: z.number().openapi({ description: '6.2: the rewrite diff in memory at its largest, the parent’s unsent blocks plus what the child has read; 0 on 7.0.' }),
    aofRewriteStallMs: z.number().openapi({ description: '6.2: the main thread blocked writing the rest of the rewrite buffer at the end; 0 on 7.0.' }),
    replicaMemoryPeakBytes: z.number().nullable().openapi({ description: 'One replica’s peak used_memory during the sync; null without replicas.' }),
    rdbBytes: z.number().openapi({ description: 'The RDB file size used.' }),
    rdbBytesEstimated: z.boolean().openapi({ description: 'True when rdbBytes was estimated from the dataset without compression.' }),
    pageCachePeakBytes: z.number(),
    containerUnreclaimablePeakBytes: z.number().openapi({
      description: 'Peak anon + shmem (+ page tables): parent RSS, child private, buffers, an RDB on tmpfs. What the OOM killer weighs against memory.max.',
    }),
    containerMemoryUsagePeakBytes: z.number().openapi({
      description: 'Peak of that plus the reclaimable page cache: what container_memory_usage_bytes shows and alerts fire on (capped by reclaim at a container’s limit).',
    }),
    scenario: ScenarioSchema.openapi({ description: 'The scenario as resolved, every default filled in.' }),
  })
  .openapi('Summary');

export const SimulationResultSchema = z.object({ summary: SummarySchema, series: SeriesSchema }).openapi('SimulationResult');

export type Series = z.infer<typeof SeriesSchema>;
/** The per-sample columns: every field but the event list. */
export type SeriesColumn = Exclude<keyof Series, 'events'>;
export function seriesColumns(series: Series): SeriesColumn[] {
  return (Object.keys(series) as Array<keyof Series>).filter((k): k is SeriesColumn => k !== 'events' && series[k] !== undefined);
}
export type Summary = z.infer<typeof SummarySchema>;
export type SimulationResult = z.infer<typeof SimulationResultSchema>;
export type ForkRateGrade = z.infer<typeof ForkRateGradeSchema>;
export type Child = z.infer<typeof ChildSchema>;
