// The managed services' rules of thumb for the memory a fork needs, set beside the engine's
// answer for one workload. Each rule reduces to the share of the host's memory the dataset
// (used_memory) may take; none of them looks at the write rate or the save's length, which is
// what decides the copy-on-write. They are rules of thumb, not models.

import type { CloudRule, PlanQuestion } from '../schemas/planning.js';

interface RuleOfThumb {
  rule: CloudRule['rule'];
  datasetSharePercent: number;
  description: string;
}

export const CLOUD_RULES: readonly RuleOfThumb[] = [
  // AWS ElastiCache for Redis, "Managing reserved memory": reserved-memory-percent defaults to
  // 25% (parameter groups since 2017), memory kept back for BGSAVE, replication and buffers.
  { rule: 'aws-elasticache-reserved-memory-percent', datasetSharePercent: 75, description: 'AWS ElastiCache reserved-memory-percent 25%: the dataset may use 75% of the node' },
  // Azure Cache for Redis, "Memory management best practices": maxmemory-reserved 10% and
  // maxfragmentationmemory-reserved 10% of the cache as a starting point.
  { rule: 'azure-maxmemory-reserved', datasetSharePercent: 80, description: 'Azure Cache for Redis maxmemory-reserved 10% + maxfragmentationmemory-reserved 10%: the dataset may use 80%' },
  // Google Cloud Memorystore for Redis, "Memory management best practices" / export: keep
  // memory usage at or below 50% of capacity during an export (a BGSAVE).
  { rule: 'gcp-memorystore-export', datasetSharePercent: 50, description: 'Google Cloud Memorystore: memory usage at most 50% during an export' },
];

export interface RuleContext {
  question: PlanQuestion;
  /** The host's memory (null only for min-host-memory without a host). */
  memoryBytes: number | null;
  /** The base scenario's used_memory. */
  baseUsedMemoryBytes: number;
  /** Whether the base scenario itself fits the host with the headroom, and the answer's value. */
  baseFits: boolean | null;
  answerValue: number | null;
  answerUnit: string;
}

/** Each rule's answer to the same question, and how far it is from the engine's. */
export function cloudRules(ctx: RuleContext): CloudRule[] {
  return CLOUD_RULES.map((r) => ({ rule: r.rule, ruleOfThumb: true as const, description: r.description, datasetSharePercent: r.datasetSharePercent, ...compare(r, ctx) }));
}

function compare(r: RuleOfThumb, ctx: RuleContext): Pick<CloudRule, 'value' | 'unit' | 'verdict' | 'differenceBytes' | 'note'> {
  const share = r.datasetSharePercent / 100;
  const { question, memoryBytes, baseUsedMemoryBytes, answerValue } = ctx;
  const verdict = (spareBytes: number): CloudRule['verdict'] => (Math.abs(spareBytes) < 1024 * 1024 ? 'matches' : spareBytes > 0 ? 'over-provisions' : 'under-provisions');
  if (question === 'min-host-memory') {
    const host = Math.ceil(baseUsedMemoryBytes / share);
    if (answerValue === null) return { value: host, unit: 'bytes', verdict: 'not-comparable', differenceBytes: null, note: 'the engine has no answer to compare with' };
    const spare = host - answerValue;
    return {
      value: host,
      unit: 'bytes',
      verdict: verdict(spare),
      differenceBytes: spare,
      note: spare >= 0 ? `the rule asks for ${spare} B more host memory than this workload needs` : `the rule's host is ${-spare} B short of what this workload needs`,
    };
  }
  const allowed = memoryBytes === null ? null : Math.floor(memoryBytes * share);
  if (allowed === null) return { value: null, unit: 'bytes', verdict: 'not-comparable', differenceBytes: null, note: 'no host memory given' };
  if (question === 'max-dataset' || question === 'max-maxmemory') {
    if (answerValue === null) return { value: allowed, unit: 'bytes', verdict: 'not-comparable', differenceBytes: null, note: 'the engine has no answer to compare with' };
    const spare = answerValue - allowed;
    return {
      value: allowed,
      unit: 'bytes',
      verdict: verdict(spare),
      differenceBytes: spare,
      note: spare >= 0 ? `the rule leaves ${spare} B of dataset unused that this workload could hold` : `the rule allows ${-spare} B more dataset than this workload can fork with`,
    };
  }
  // Rates and save lengths: the rule only admits or refuses the base dataset, at any rate.
  const admits = baseUsedMemoryBytes <= allowed;
  const fits = ctx.baseFits;
  const note = `the rule ${admits ? 'admits' : 'refuses'} the base dataset (${baseUsedMemoryBytes} B of ${allowed} B allowed) whatever the ${question === 'max-write-rate' ? 'write rate' : 'save length'}; the engine: up to ${answerValue ?? 'no value'} ${ctx.answerUnit}`;
  const v: CloudRule['verdict'] = fits === null ? 'not-comparable' : admits && !fits ? 'under-provisions' : !admits && fits ? 'over-provisions' : 'matches';
  return { value: allowed, unit: 'bytes', verdict: v, differenceBytes: allowed - baseUsedMemoryBytes, note };
}
