// What `forkcast inspect` and POST /v1/scenarios/from-info answer: a scenario drafted from an
// instance's own figures (its `provenance` says what was measured, derived or assumed), the
// write rate by command behind it, and the instance's last save to hold a forecast against.
import { ScenarioSchema, type ScenarioInput } from './scenario.js';
import { servedAsWritten, z } from './zod.js';

const LastSaveSchema = z
  .object({
    rdbLastCowSizeBytes: z.number().openapi({ description: 'INFO rdb_last_cow_size: the peak during the save on 7.0, the last value on 6.2.' }),
    latestForkUsec: z.number().openapi({ description: 'INFO latest_fork_usec: the last fork of any kind (save, AOF rewrite, full sync).' }),
    rdbLastBgsaveTimeSec: z.number().openapi({ description: 'INFO rdb_last_bgsave_time_sec, whole seconds.' }),
    status: z.string().openapi({ description: 'INFO rdb_last_bgsave_status.' }),
    forkUsecPerGiBOfRss: z
      .number()
      .nullable()
      .openapi({
        description:
          'This host’s fork cost per GiB of used_memory_rss, fixed cost aside (the reference VM’s): the kernel.forkUsecPerGiB to try when the preset forecasts another fork time. Null under 256 MiB of RSS, where fixed costs and noise dominate.',
      }),
  })
  .openapi('LastSave', { description: 'The last save INFO reports; null when there was none since the start.' });

export const HistoryRowSchema = z
  .object({
    field: z.enum(['rdb_last_cow_size', 'latest_fork_usec', 'rdb_last_bgsave_time_sec']),
    reported: z.number(),
    forecast: z.number().nullable().openapi({ description: 'The engine’s figure for the drafted scenario; null when it cannot simulate it.' }),
  })
  .openapi('HistoryRow');

export const HistoryCheckSchema = z
  .object({
    rows: z.array(HistoryRowSchema),
    forecastUnavailable: z.string().optional().openapi({ description: 'Why the engine gave no forecast.' }),
    notes: z.array(z.string()),
  })
  .openapi('HistoryCheck', { description: 'Forecast vs reported for the last save: a first sanity check of the draft.' });

const SegmentFindingSchema = z
  .object({
    name: z.string(),
    type: z.string(),
    encoding: z.string().openapi({ description: 'OBJECT ENCODING of its keys.' }),
    keys: z.number(),
    keysStdErr: z.number().openapi({ description: 'Standard error of `keys` from the sampling; 0 when every key was read.' }),
    sampledKeys: z.number(),
    memoryBytes: z.number().nullable().openapi({ description: 'MEMORY USAGE of its sampled keys, scaled like the count.' }),
    writesPerSec: z.number().openapi({ description: 'Its share of the write commands, per second.' }),
  })
  .openapi('SegmentFinding');

export const InspectReportSchema = z
  .object({
    source: z.enum(['live', 'info']).openapi({ description: '`live`: read from the instance; `info`: from a pasted INFO text.' }),
    redisVersion: z.string().nullable(),
    // The draft as written: it runs as is with `forkcast simulate` or POST /v1/simulations.
    scenario: servedAsWritten(ScenarioSchema),
    writes: z
      .object({
        windowSec: z.number().openapi({ description: 'Seconds between the two commandstats readings, or the uptime for one reading.' }),
        lifetimeAverage: z.boolean().openapi({ description: 'One reading: averages since the start (or the last CONFIG RESETSTAT).' }),
        perSec: z.number().openapi({ description: 'Write commands per second on the modelled key types: workload.writesPerSec.' }),
        byCommand: z.record(z.string(), z.number()).openapi({ description: 'Per second, write commands only, by INFO’s name.' }),
        byType: z.record(z.string(), z.number()).openapi({ description: 'Per second, by the key type they write (`generic`: DEL, EXPIRE, … on any type).' }),
      })
      .openapi({ description: 'The write rate INFO commandstats shows.' }),
    sample: z
      .object({
        keys: z.number().openapi({ description: 'Keys read.' }),
        instanceKeys: z.number().openapi({ description: 'Keys in the instance (DBSIZE over the databases).' }),
        complete: z.boolean().openapi({ description: 'Every key was read.' }),
      })
      .nullable(),
    segments: z.array(SegmentFindingSchema),
    unmodelled: z
      .array(z.object({ type: z.string(), encoding: z.string(), keys: z.number(), memoryBytes: z.number().nullable() }))
      .openapi({ description: 'Key types the scenario cannot hold (streams, module types), left out of it.' }),
    memory: z.object({
      usedMemoryBytes: z.number().nullable(),
      datasetBytes: z.number().nullable().openapi({ description: 'INFO used_memory_dataset (MEMORY STATS dataset.bytes).' }),
      sampledBytes: z.number().nullable().openapi({ description: 'MEMORY USAGE of the sampled keys, scaled to the instance: compare with datasetBytes.' }),
    }),
    lastSave: LastSaveSchema.nullable(),
    toSet: z.array(z.string()).openapi({ description: 'What the instance cannot show, and which scenario field to set for it.' }),
  })
  .openapi('InspectReport');

export type InspectReport = Omit<z.infer<typeof InspectReportSchema>, 'scenario'> & { scenario: ScenarioInput };
export type HistoryCheck = z.infer<typeof HistoryCheckSchema>;
export type HistoryRow = z.infer<typeof HistoryRowSchema>;
export type LastSave = z.infer<typeof LastSaveSchema>;
