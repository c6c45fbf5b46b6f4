// Calibration bodies: observations of real forks (and, where measured, copy-on-write faults)
// in, a platform preset out, with how well it fits. `forkcast calibrate` and
// POST /v1/calibrations share them.
import { byteSize } from './units.js';
import { z } from './zod.js';

const MiB = 2 ** 20;
const TiB = 2 ** 40;

export const CalibrationObservationSchema = z
  .object({
    label: z.string().max(200).optional().openapi({ description: 'Where the observation came from, echoed in the residuals.' }),
    usedMemoryRssBytes: byteSize(MiB, 64 * TiB).optional().openapi({ description: 'INFO used_memory_rss before the fork.' }),
    usedMemoryBytes: byteSize(MiB, 64 * TiB).optional().openapi({ description: 'INFO used_memory; needs fragmentationRatio.' }),
    fragmentationRatio: z.number().min(0.5).max(20).optional().openapi({ description: 'INFO mem_fragmentation_ratio (used_memory_rss / used_memory).' }),
    latestForkUsec: z.number().gt(0).max(1e9).openapi({ description: 'INFO latest_fork_usec after the fork.' }),
    writablePteShare: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .openapi({
        description:
          'Share of the memory written since the previous fork (1 for the first fork after a restart or load): its page-table entries were writable, which fork() must write-protect. 0 when unknown.',
      }),
    hugePages: z.boolean().default(false).openapi({ description: 'The process ran on transparent huge pages (THP always, disable-thp no).' }),
    hugePageCoverage: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .openapi({ description: 'Share of RSS on huge pages (AnonHugePages / Anonymous); 1 when hugePages and absent.' }),
    copyOnWriteFaults: z
      .number()
      .int()
      .min(0)
      .optional()
      .openapi({ description: "Parent minor faults while the child lived (each copy-on-write copy is one)." }),
    faultSystemCpuSec: z.number().min(0).optional().openapi({ description: 'Parent system CPU seconds while the child lived.' }),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.usedMemoryRssBytes === undefined && (o.usedMemoryBytes === undefined || o.fragmentationRatio === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['usedMemoryRssBytes'], message: 'give usedMemoryRssBytes, or usedMemoryBytes with fragmentationRatio' });
    }
    if ((o.copyOnWriteFaults === undefined) !== (o.faultSystemCpuSec === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['faultSystemCpuSec'], message: 'give copyOnWriteFaults and faultSystemCpuSec together' });
    }
  })
  .openapi('CalibrationObservation');

export const CalibrationRequestSchema = z
  .object({
    observations: z.array(CalibrationObservationSchema).min(1).max(10_000),
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,63}$/)
      .default('calibrated')
      .openapi({ description: 'Id of the preset returned.' }),
    label: z.string().max(200).optional(),
    forkFixedUsec: z
      .number()
      .min(0)
      .max(1e6)
      .optional()
      .openapi({ description: 'fork() of an empty process, held fixed in the fit; the reference VM’s when absent.' }),
  })
  .strict()
  .openapi('CalibrationRequest', {
    example: {
      observations: [
        { usedMemoryRssBytes: '1GiB', latestForkUsec: 61000 },
        { usedMemoryRssBytes: '2GiB', latestForkUsec: 121000 },
      ],
    },
  });

/**
 * What POST /v1/calibrations takes: a request, or the bare list of observations that
 * `forkcast calibrate` also reads from a file.
 */
export const CalibrationBodySchema = z.union([
  CalibrationRequestSchema,
  z
    .array(CalibrationObservationSchema)
    .min(1)
    .max(10_000)
    .openapi({ description: 'The observations alone, as `forkcast calibrate` reads them: the preset id is then `calibrated`.' }),
]);

/** A body as a request: a bare list becomes its observations. */
export function calibrationRequestOf(body: z.output<typeof CalibrationBodySchema>): CalibrationRequest {
  return Array.isArray(body) ? CalibrationRequestSchema.parse({ observations: body }) : body;
}

export const PlatformPresetSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    forkUsecPerGiB: z.number().openapi({ description: 'fork() time per GiB of RSS mapped with 4 KiB pages, page-table entries write-protected already.' }),
    forkWritableUsecPerGiB: z.number().openapi({ description: 'fork() time per GiB of RSS mapped with 4 KiB pages, entries writable (written since the previous fork).' }),
    forkUsecPerGiBHuge: z.number().openapi({ description: 'fork() time per GiB of RSS mapped with 2 MiB huge pages, PMDs write-protected already.' }),
    forkWritableUsecPerGiBHuge: z.number().openapi({ description: 'fork() time per GiB of RSS mapped with 2 MiB huge pages, PMDs writable.' }),
    forkFixedUsec: z.number().openapi({ description: 'fork() of a process with (almost) nothing mapped.' }),
    cowFaultUsec: z.number().openapi({ description: 'One copy-on-write fault that copies a 4 KiB page.' }),
    source: z.string(),
  })
  .openapi('PlatformPreset');

export const FitResidualSchema = z.object({
  label: z.string(),
  x: z.number().openapi({ description: 'The regressor: GiB mapped (fork) or faults (fault cost).' }),
  measuredUsec: z.number(),
  predictedUsec: z.number().openapi({ description: 'From the median-ratio fit, which the preset uses.' }),
  errorPercent: z.number(),
  outlier: z.boolean().openapi({ description: 'Ratio more than 3.5 robust standard deviations (1.4826 × MAD) from the median.' }),
});

export const LineFitSchema = z
  .object({
    n: z.number().int(),
    xUnit: z.enum(['GiB', 'faults']),
    medianUsecPerUnit: z.number().openapi({ description: 'Median of per-observation ratios: robust to outliers; the preset uses it.' }),
    leastSquaresUsecPerUnit: z.number().openapi({ description: 'Least-squares slope through the fixed cost.' }),
    r2: z.number().nullable().openapi({ description: 'R² of the least-squares line (null with fewer than 2 distinct points).' }),
    medianAbsPercentError: z.number().openapi({ description: 'Of the median-ratio fit.' }),
    residuals: z.array(FitResidualSchema),
  })
  .openapi('LineFit');

export const CalibrationResultSchema = z
  .object({
    preset: PlatformPresetSchema,
    fits: z.object({
      fork: LineFitSchema.nullable().openapi({ description: 'fork µs per GiB of 4 KiB-mapped RSS, beyond the fixed cost, write-protected entries (writable ones weighted by the reference ratio).' }),
      forkWritable: LineFitSchema.nullable().openapi({
        description: 'fork µs per GiB of 4 KiB-mapped RSS with writable entries, from forks mostly of them (first forks); null without such forks.',
      }),
      forkHuge: LineFitSchema.nullable().openapi({ description: 'fork µs per GiB of huge-page-mapped RSS.' }),
      cowFault: LineFitSchema.nullable().openapi({ description: 'Parent system CPU µs per fault, runs on 4 KiB pages.' }),
    }),
    derived: z.array(z.string()).openapi({ description: 'Preset fields not fitted, scaled from the reference VM instead.' }),
    scenarioKernel: z
      .object({ forkUsecPerGiB: z.number(), forkWritableUsecPerGiB: z.number(), forkUsecPerGiBHuge: z.number(), cowFaultUsec: z.number() })
      .openapi({ description: 'The overrides a scenario’s `kernel` takes to use this calibration.' }),
  })
  .openapi('CalibrationResult');

export type CalibrationObservationInput = z.input<typeof CalibrationObservationSchema>;
export type CalibrationObservation = z.output<typeof CalibrationObservationSchema>;
export type CalibrationRequest = z.output<typeof CalibrationRequestSchema>;
export type CalibrationRequestInput = z.input<typeof CalibrationRequestSchema>;
export type LineFit = z.output<typeof LineFitSchema>;
export type CalibrationResult = z.output<typeof CalibrationResultSchema>;
