// Which keys the writes hit: the workload's, and each dataset segment's own.
import { DEFAULT_HOT_KEY_FRACTION, DEFAULT_HOT_WRITE_FRACTION, DEFAULT_ZIPF_EXPONENT } from '../engine/defaults.js';
import { z } from './zod.js';

export const KeyDistributionSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('uniform') }).strict(),
    z
      .object({
        type: z.literal('zipf'),
        exponent: z.number().gt(0).max(5).default(DEFAULT_ZIPF_EXPONENT).openapi({ description: 'Zipf exponent s: P(rank k) ∝ k^-s.' }),
      })
      .strict(),
    z
      .object({
        type: z.literal('hotset'),
        hotKeyFraction: z.number().gt(0).lt(1).default(DEFAULT_HOT_KEY_FRACTION).openapi({ description: 'Share of keys that are hot.' }),
        hotWriteFraction: z.number().gt(0).lt(1).default(DEFAULT_HOT_WRITE_FRACTION).openapi({ description: 'Share of writes that go to hot keys.' }),
      })
      .strict(),
    z.object({ type: z.literal('sequential') }).strict(),
  ])
  .openapi('KeyDistribution', {
    description:
      'Which keys the writes hit. Hot keys are scattered over memory; sequential walks keys in insertion (address) order.',
  });
