// Advice: concrete changes to a scenario with their effect computed, not guessed. Each
// candidate that applies is the scenario with one change, re-run through the engine in
// expected mode (a few analytic runs, whatever the scenario's own mode costs), and kept when it
// lowers the peak the limit must hold or improves the verdict. Pure: the engine and the
// schemas only.

import { FAST_SAVE_THROUGHPUT_BYTES_PER_SEC } from '../engine/defaults.js';
import { EngineError } from '../engine/errors.js';
import { formatBytes, formatPercent, formatSeconds, sizeUnitFor } from '../engine/human-units.js';
import { PAGE_BYTES } from '../engine/jemalloc.js';
import { simulate, type SimulateHooks } from '../engine/simulate.js';
import { MAX_ADVICE, type Advice, type AdviceCode, type EngineSummary, type Verdict } from '../schemas/result.js';
import { ScenarioSchema, type Scenario } from '../schemas/scenario.js';

type Value = string | number | boolean | null;
export interface Change {
  path: string;
  from: Value;
  to: Value;
}

interface Candidate {
  code: AdviceCode;
  label: string;
  changes: Change[];
}

/** A change that lowers the peak by less than this share is within what the fidelity runs resolve. */
const MIN_HELP_SHARE = 0.01;
/** Runs the search for the largest dataset that fits may take: it converges in two or three. */
const DATASET_STEPS = 5;
/** Aim this share under the margin's line: the peak is not exactly proportional to the dataset. */
const DATASET_AIM_BELOW = 0.005;
/** The smallest dataset share the search tries: below it a lower maxmemory is no advice. */
const MIN_DATASET_SHARE = 0.05;

const LEVEL_RANK = { oom: 0, tight: 1, ok: 2 } as const;

/** The scenario with the changes applied (a `to` of null removes the field), in expected mode. */
export function applyChanges(scenario: Scenario, changes: readonly Change[]): Scenario {
  const copy = structuredClone(scenario) as unknown as Record<string, unknown>;
  for (const { path, to } of changes) {
    const keys = path.split('.');
    let at = copy as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
    const last = keys.at(-1)!;
    if (to === null) delete at[last];
    else at[last] = to;
  }
  const simulation = copy.simulation as Record<string, unknown>;
  simulation.mode = 'expected';
  return ScenarioSchema.parse(copy);
}

function rerun(scenario: Scenario, changes: readonly Change[], hooks: Pick<SimulateHooks, 'shouldCancel'>): EngineSummary | null {
  try {
    return simulate(applyChanges(scenario, changes), { shouldCancel: hooks.shouldCancel }).summary;
  } catch (err) {
    // A change the engine refuses (too large, say) is no advice; a cancellation stops it all.
    if (err instanceof EngineError && err.code !== 'CANCELLED') return null;
    if (err instanceof Error && err.name === 'ZodError') return null;
    throw err;
  }
}

function thpCandidates(scenario: Scenario, base: EngineSummary): Candidate[] {
  if (!base.hugePagesActive) return [];
  const out: Candidate[] = [{ code: 'THP_OFF', label: 'Turn THP off (kernel.thp never)', changes: [{ path: 'kernel.thp', from: 'always', to: 'never' }] }];
  if (scenario.kernel.thpCow === 'copy-2m') {
    out.push({ code: 'NEWER_KERNEL', label: 'Run Linux 5.8 or newer (kernel.thpCow split-4k)', changes: [{ path: 'kernel.thpCow', from: 'copy-2m', to: 'split-4k' }] });
  }
  return out;
}

function fasterSave(scenario: Scenario, base: EngineSummary): Candidate[] {
  const writing = scenario.workload.writesPerSec > 0 || (scenario.workload.writeSchedule ?? []).some((s) => s.writesPerSec > 0);
  const throughput = base.usedMemoryBytes / base.rdbBgsaveTimeSec;
  if (!writing || throughput >= FAST_SAVE_THROUGHPUT_BYTES_PER_SEC) return [];
  const { snapshot } = scenario;
  return [
    {
      code: 'FASTER_SAVE',
      label: `Save at ${FAST_SAVE_THROUGHPUT_BYTES_PER_SEC / 1e6} MB/s (a faster disk; now ${Math.round(throughput / 1e6)} MB/s)`,
      changes: [
        ...(snapshot.durationSec === undefined ? [] : [{ path: 'snapshot.durationSec', from: snapshot.durationSec, to: null }]),
        { path: 'snapshot.throughputBytesPerSec', from: snapshot.throughputBytesPerSec ?? null, to: FAST_SAVE_THROUGHPUT_BYTES_PER_SEC },
      ],
    },
  ];
}

function replicationCandidates(scenario: Scenario, base: EngineSummary): Candidate[] {
  if (scenario.snapshot.trigger !== 'full-sync') return [];
  const out: Candidate[] = [];
  const { replicas } = scenario.replication;
  if (replicas > 1) {
    out.push({ code: 'STAGGER_REPLICAS', label: `Full-sync the ${replicas} replicas one at a time`, changes: [{ path: 'replication.replicas', from: replicas, to: 1 }] });
  }
  if (base.scenario.replication.diskless === false) {
    out.push({ code: 'DISKLESS_SYNC', label: 'Sync diskless (repl-diskless-sync yes)', changes: [{ path: 'replication.diskless', from: false, to: true }] });
  }
  return out;
}

/** Redis 7's dismiss acts on values spanning whole pages; its shared buffers on full syncs. */
function redis7(scenario: Scenario, base: EngineSummary): Candidate[] {
  if (scenario.redis.version !== '6.2' || base.hugePagesActive) return [];
  const { dataset } = scenario;
  const large =
    (dataset.valueBytes ?? 0) >= PAGE_BYTES ||
    (dataset.segments ?? []).some((s) => (s.type === 'string' ? s.valueBytes : s.elements * s.elementBytes) >= PAGE_BYTES);
  if (!large && scenario.snapshot.trigger === 'bgsave') return [];
  const { trigger } = scenario.snapshot;
  const why = ['the child releases saved values', ...(trigger === 'full-sync' ? ['one replication buffer shared by the replicas'] : []), ...(trigger === 'aof-rewrite' ? ['no AOF rewrite buffer'] : [])];
  return [
    {
      code: 'REDIS_7',
      label: `Upgrade to Redis 7.0 (${why.join('; ')})`,
      changes: [
        { path: 'redis.version', from: '6.2', to: '7.0' },
        // The sync mode as it was (7.0's default is diskless), so the upgrade alone is weighed.
        ...(trigger === 'full-sync' && scenario.replication.diskless === undefined ? [{ path: 'replication.diskless', from: null, to: base.scenario.replication.diskless ?? false }] : []),
      ],
    },
  ];
}

/** The dataset scaled by f: keys (or used memory), and a given save length and RDB size with it. */
function scaledDataset(scenario: Scenario, f: number): Change[] {
  const { dataset, snapshot } = scenario;
  const out: Change[] = [];
  if (dataset.segments !== undefined) {
    dataset.segments.forEach((s, i) => out.push({ path: `dataset.segments.${i}.keys`, from: s.keys, to: Math.max(1, Math.round(s.keys * f)) }));
  } else if (dataset.keys !== undefined) {
    out.push({ path: 'dataset.keys', from: dataset.keys, to: Math.max(1, Math.round(dataset.keys * f)) });
  } else {
    out.push({ path: 'dataset.usedMemoryBytes', from: dataset.usedMemoryBytes!, to: Math.round(dataset.usedMemoryBytes! * f) });
  }
  // A save of fewer bytes at the same throughput takes proportionally less time and file.
  if (snapshot.durationSec !== undefined) out.push({ path: 'snapshot.durationSec', from: snapshot.durationSec, to: snapshot.durationSec * f });
  if (snapshot.rdbBytes !== undefined) out.push({ path: 'snapshot.rdbBytes', from: snapshot.rdbBytes, to: Math.round(snapshot.rdbBytes * f) });
  return out;
}

/**
 * The largest dataset whose verdict is ok. The peak is close to the reserve plus a part
 * proportional to the dataset, so each step scales the share by how far the peak is from the
 * margin's line; at most DATASET_STEPS runs, keeping the largest share found ok.
 */
function lowerMaxmemory(scenario: Scenario, base: EngineSummary, hooks: Pick<SimulateHooks, 'shouldCancel'>): { candidate: Candidate; summary: EngineSummary } | null {
  const limit = base.oom.limitBytes;
  if (limit === null || (base.verdict.level !== 'tight' && base.verdict.level !== 'oom')) return null;
  const line = limit * (1 - scenario.host.marginPercent / 100);
  const reserved = base.oom.reservedBytes;
  let best: { share: number; summary: EngineSummary } | null = null;
  let tooLarge = 1;
  let share = 1;
  let peak = base.oom.peakBytes;
  for (let i = 0; i < DATASET_STEPS; i++) {
    const proportional = ((share * (line - reserved)) / Math.max(1, peak - reserved)) * (1 - DATASET_AIM_BELOW);
    // Never at or past a share already found too large: halve the gap instead.
    share = proportional < tooLarge ? proportional : ((best?.share ?? 0) + tooLarge) / 2;
    if (!(share >= MIN_DATASET_SHARE) || (best !== null && share <= best.share)) break;
    const summary = rerun(scenario, scaledDataset(scenario, share), hooks);
    if (summary === null) break;
    peak = summary.oom.peakBytes;
    if (summary.verdict.level === 'ok') {
      best = { share, summary };
      // Close enough to the line: a further step would not change the advice.
      if (summary.oom.peakBytes >= line * (1 - DATASET_AIM_BELOW * 2)) break;
    } else tooLarge = share;
  }
  if (best === null) return null;
  const unit = sizeUnitFor(base.usedMemoryBytes);
  return {
    candidate: {
      code: 'LOWER_MAXMEMORY',
      label: `Hold the dataset to ${formatBytes(best.summary.usedMemoryBytes, unit)} used_memory, ${formatPercent(100 * best.share)} of today’s ${formatBytes(base.usedMemoryBytes, unit)} (maxmemory with an eviction policy, or fewer keys)`,
      changes: scaledDataset(scenario, best.share),
    },
    summary: best.summary,
  };
}

function outcome(verdict: Verdict): string {
  if (verdict.level === null) return 'no host limit to judge against';
  if (verdict.level === 'oom') return `still ${verdict.text}`;
  return verdict.text;
}

function adviceOf(candidate: Candidate, summary: EngineSummary, basePeak: number, exactScenario: boolean): Advice {
  const peak = summary.oom.peakBytes;
  const unit = sizeUnitFor(Math.max(peak, basePeak));
  const change = peak - basePeak;
  const sign = change <= 0 ? '−' : '+';
  const fork = summary.latestForkUsec;
  return {
    code: candidate.code,
    changes: candidate.changes,
    peakBytes: peak,
    peakChangeBytes: change,
    latestForkUsec: fork,
    verdict: summary.verdict,
    text:
      `${candidate.label}: peak ${formatBytes(basePeak, unit)} → ${formatBytes(peak, unit)} (${sign}${formatBytes(Math.abs(change), unit)}), fork ${formatSeconds(fork / 1e6)}; ${outcome(summary.verdict)}` +
      (exactScenario ? ' (computed in expected mode)' : ''),
  };
}

function helps(summary: EngineSummary, base: EngineSummary): boolean {
  if (summary.oom.peakBytes <= base.oom.peakBytes * (1 - MIN_HELP_SHARE)) return true;
  const [a, b] = [summary.verdict.level, base.verdict.level];
  return a !== null && b !== null && LEVEL_RANK[a] > LEVEL_RANK[b];
}

/**
 * The changes that apply to this scenario and help, largest effect on the peak first, at most
 * MAX_ADVICE. `summary` is simulate(scenario)'s; an exact-mode scenario is re-run once in
 * expected mode so every effect is measured against the same model.
 */
export function advise(scenario: Scenario, summary: EngineSummary, hooks: Pick<SimulateHooks, 'shouldCancel'> = {}): Advice[] {
  const exact = scenario.simulation.mode === 'exact';
  const base = exact ? rerun(scenario, [], hooks) : summary;
  if (base === null) return [];
  const found: Array<{ candidate: Candidate; summary: EngineSummary }> = [];
  for (const candidate of [...thpCandidates(scenario, base), ...fasterSave(scenario, base), ...replicationCandidates(scenario, base), ...redis7(scenario, base)]) {
    const changed = rerun(scenario, candidate.changes, hooks);
    if (changed !== null) found.push({ candidate, summary: changed });
  }
  const smaller = lowerMaxmemory(scenario, base, hooks);
  if (smaller) found.push(smaller);
  return found
    .filter((f) => helps(f.summary, base))
    .sort((a, b) => a.summary.oom.peakBytes - b.summary.oom.peakBytes)
    .slice(0, MAX_ADVICE)
    .map((f) => adviceOf(f.candidate, f.summary, base.oom.peakBytes, exact));
}
