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
    parentRssBytes: column('Parent RSS; copies do not grow it, inserts do.'),
    childPrivateBytes: column('Memory only the child holds.'),
    hostMemoryBytes: column('parent RSS + child private bytes.'),
    writes: column('Writes served since fork().'),
    forkPerc: column('current_fork_perc: keys saved / keys at fork, percent.'),
    faultStallMs: column('Main-thread time spent in copy-on-write faults during the step, ms.'),
  })
  .openapi('Series');

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
      })
      .openapi({ description: 'Peak host memory against host.memoryBytes; null without a limit.' }),
    cloudReserve: z
      .object({
        rule: z.literal('aws-elasticache-reserved-memory-percent'),
        reservePercent: z.number(),
        reserveBytes: z.number().nullable(),
        coversPeakCow: z.boolean().nullable(),
      })
      .openapi({ description: 'The reserve a 25% rule of thumb would have kept, beside the forecast.' }),
    scenario: ScenarioSchema.openapi({ description: 'The scenario as resolved, every default filled in.' }),
  })
  .openapi('Summary');

export const SimulationResultSchema = z.object({ summary: SummarySchema, series: SeriesSchema }).openapi('SimulationResult');

export type Series = z.infer<typeof SeriesSchema>;
export type Summary = z.infer<typeof SummarySchema>;
export type SimulationResult = z.infer<typeof SimulationResultSchema>;
export type ForkRateGrade = z.infer<typeof ForkRateGradeSchema>;
