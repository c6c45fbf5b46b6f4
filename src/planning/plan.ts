// The inverse question: how far can a scenario go on a host? Each question is one axis of the
// scenario (dataset size, write rate, save length, host memory); the answer is the boundary
// along it where the scenario stops fitting, found by searching the engine in expected mode and
// checked in exact mode where that is affordable.
//
// "Fits" is the engine's own OOM verdict with the headroom taken off the limit: the summary's
// oom.peakBytes — the unreclaimable peak (parent, child copies, shmem, the fork's page tables)
// plus host.reservedBytes — at most memoryBytes × (1 − headroomPercent / 100). With a headroom
// of 0 that is exactly `oom.atRisk === false`.

import { EngineError } from '../engine/errors.js';
import { resolveRun, type ResolvedRun } from '../engine/resolve.js';
import { simulate } from '../engine/simulate.js';
import { LIMITS } from '../engine/limits.js';
import type { PlanRequest, PlanResult } from '../schemas/planning.js';
import type { EngineSummary } from '../schemas/result.js';
import type { Scenario } from '../schemas/scenario.js';
import { cloudRules } from './cloud-rules.js';
import { searchBoundary, type Probe, type SearchAxis } from './search.js';

const MiB = 1024 * 1024;
/** The search's resolution where the axis has no natural unit: a thousandth of the value. */
const RELATIVE_STEP = 1e-3;
/**
 * Writes the exact check may walk: about 2 s at the 25 million writes/s exact mode reaches on
 * uniform keys (README, Speed). Past it the answer rests on expected mode alone.
 */
export const PLAN_EXACT_MAX_WRITES = 5e7;
/**
 * Keys the exact check may hold: exact mode sets up per-key and per-page state before its first
 * write, about 50 ns a key here (a 1 TiB heap of 1.05e9 keys took ~50 s), so 2e7 is about 1 s.
 */
export const PLAN_EXACT_MAX_KEYS = 2e7;

/** Expected and exact modes agree within 3% plus sampling noise (README, What the engine models). */
const MODES_AGREE_PERCENT = 3;

export interface PlanHooks {
  /** Share of the search done, 0–1 (an estimate: the number of steps is not known ahead). */
  onProgress?: (fraction: number) => void;
}

/** One question as an axis of the scenario. */
interface QuestionAxis extends SearchAxis {
  unit: string;
  scenarioAt(value: number): Scenario;
  /** The host's memory at a value (it is the axis of min-host-memory). */
  memoryAt(value: number): number;
  /** The answer reported for a value, from its simulated summary. */
  answerOf(value: number, summary: EngineSummary): number;
  /** The first value past the answer, in the answer's terms; default answerOf. */
  beyondOf?(value: number, summary: EngineSummary): number;
  equivalents?(value: number, summary: EngineSummary): Record<string, number>;
}

const withoutKey = <T extends object, K extends keyof T>(obj: T, key: K): Omit<T, K> => {
  const { [key]: _dropped, ...rest } = obj;
  return rest;
};

/** The base as the search runs it: expected mode, on the plan's host and reserve. */
function preparedBase(plan: PlanRequest): Scenario {
  const { base, host } = plan;
  const reservedBytes = host.reservedBytes ?? base.host.reservedBytes;
  return {
    ...base,
    host: { ...base.host, ...(host.memoryBytes !== undefined ? { memoryBytes: host.memoryBytes } : {}), ...(reservedBytes !== undefined ? { reservedBytes } : {}) },
    simulation: { ...base.simulation, mode: 'expected' },
  };
}

function datasetAxis(base: Scenario, run: ResolvedRun, memoryBytes: number, question: 'max-dataset' | 'max-maxmemory'): QuestionAxis {
  // The save keeps its throughput as the dataset grows: a given duration becomes bytes per second.
  const throughput = base.snapshot.durationSec === undefined ? base.snapshot.throughputBytesPerSec : run.usedMemoryBytes / run.durationSec;
  const snapshot = {
    ...withoutKey(base.snapshot, 'durationSec'),
    ...(throughput === undefined ? {} : { throughputBytesPerSec: Math.min(LIMITS.maxSaveThroughputBytesPerSec, Math.max(LIMITS.minSaveThroughputBytesPerSec, Math.round(throughput))) }),
  };
  const rdb0 = base.snapshot.rdbBytes;
  const segments = base.dataset.segments;
  const keys0 = segments === undefined ? run.keys : segments.reduce((sum, s) => sum + s.keys, 0);
  const fewest = segments === undefined ? run.keys : Math.min(...segments.map((s) => s.keys));
  const scenarioAt = (s: number): Scenario => ({
    ...base,
    dataset:
      segments === undefined
        ? { keys: Math.max(1, Math.round(run.keys * s)), valueBytes: base.dataset.valueBytes, keyBytes: base.dataset.keyBytes }
        : { ...base.dataset, segments: segments.map((seg) => ({ ...seg, keys: Math.max(1, Math.round(seg.keys * s)) })) },
    snapshot: rdb0 === undefined ? snapshot : { ...snapshot, rdbBytes: Math.min(LIMITS.maxUsedMemoryBytes, Math.round(rdb0 * s)) },
  });
  // The largest scale the engine takes: keys, used memory and save length within its limits.
  let hi = Math.min(LIMITS.maxKeys / keys0, LIMITS.maxUsedMemoryBytes / run.usedMemoryBytes);
  for (let i = 0; i < 60; i++) {
    try {
      resolveRun(scenarioAt(hi));
      break;
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      hi *= 0.97;
    }
  }
  return {
    unit: 'bytes',
    lo: 1 / fewest,
    start: 1,
    hi,
    fitsBelow: true,
    scale: 'log',
    interpolation: 'linear',
    snap: (s) => (segments === undefined ? Math.max(1, Math.round(run.keys * s)) / run.keys : s),
    // maxmemory is set in whole MiB: resolved to half of one, so the next MiB is past the boundary or within a step of it.
    step: (s) => Math.max(question === 'max-maxmemory' ? Math.min(s * RELATIVE_STEP, MiB / 2 / run.usedMemoryBytes) : s * RELATIVE_STEP, segments === undefined ? 1 / run.keys : 1 / fewest),
    scenarioAt,
    memoryAt: () => memoryBytes,
    // maxmemory as a whole MiB (redis.conf's `mb`), at most the boundary's used_memory.
    answerOf: (_s, summary) => (question === 'max-maxmemory' ? Math.floor(summary.usedMemoryBytes / MiB) * MiB : summary.usedMemoryBytes),
    beyondOf: (_s, summary) => summary.usedMemoryBytes,
    equivalents: (_s, summary) => ({
      keys: summary.keys,
      usedMemoryBytes: summary.usedMemoryBytes,
      percentOfHostMemory: Math.round((1e4 * summary.usedMemoryBytes) / memoryBytes) / 100,
    }),
  };
}

function writeRateAxis(base: Scenario, memoryBytes: number): QuestionAxis {
  const { workload } = base;
  const schedule = workload.writeSchedule;
  const peak0 = Math.max(workload.writesPerSec, ...(schedule ?? []).map((s) => s.writesPerSec));
  const scaled = schedule !== undefined && peak0 > 0;
  const scenarioAt = (rate: number): Scenario => ({
    ...base,
    workload: scaled
      ? { ...workload, writesPerSec: (workload.writesPerSec * rate) / peak0, writeSchedule: schedule.map((s) => ({ ...s, writesPerSec: (s.writesPerSec * rate) / peak0 })) }
      : { ...withoutKey(workload, 'writeSchedule'), writesPerSec: rate },
  });
  return {
    unit: 'writes/s',
    lo: 0,
    hi: LIMITS.maxWritesPerSec,
    start: peak0,
    fitsBelow: true,
    scale: 'linear',
    // Copy-on-write saturates as more of the keys are written: closer to linear in log(rate).
    interpolation: 'log',
    snap: (r) => Math.round(r),
    step: (r) => Math.max(1, Math.round(r * RELATIVE_STEP)),
    scenarioAt,
    memoryAt: () => memoryBytes,
    answerOf: (r) => r,
  };
}

function durationAxis(base: Scenario, run: ResolvedRun, memoryBytes: number): QuestionAxis {
  const ms = (d: number) => Math.max(1e-3, Math.round(d * 1000) / 1000);
  return {
    unit: 's',
    // The engine's finest sampling step is a millisecond.
    lo: 1e-3,
    hi: LIMITS.maxDurationSec,
    start: run.durationSec,
    fitsBelow: true,
    scale: 'log',
    interpolation: 'log',
    snap: ms,
    step: (d) => Math.max(1e-3, ms(d * RELATIVE_STEP)),
    scenarioAt: (d) => ({ ...base, snapshot: { ...withoutKey(base.snapshot, 'throughputBytesPerSec'), durationSec: d } }),
    memoryAt: () => memoryBytes,
    answerOf: (d) => d,
    equivalents: (d, summary) => ({
      throughputBytesPerSec: Math.round(summary.usedMemoryBytes / d),
      // rdb-key-save-delay sleeps this many µs per key: the delay that stretches the base's save to d.
      ...(d >= run.durationSec ? { rdbKeySaveDelayUsec: Math.round(((d - run.durationSec) / summary.keys) * 1e6 * 1000) / 1000 } : {}),
      // A diskless sync's child lives as long as the slower of the save and the transfer.
      ...(base.snapshot.trigger === 'full-sync' ? { linkBytesPerSec: Math.round(summary.rdbBytes / d) } : {}),
    }),
  };
}

function hostMemoryAxis(base: Scenario, run: ResolvedRun): QuestionAxis {
  const mib = (m: number) => Math.max(LIMITS.minHostMemoryBytes, Math.ceil(m / MiB) * MiB);
  return {
    unit: 'bytes',
    lo: LIMITS.minHostMemoryBytes,
    hi: LIMITS.maxHostMemoryBytes,
    // The host given, else one that holds the dataset twice over (a full copy-on-write).
    start: base.host.memoryBytes ?? 2 * run.usedMemoryRssBytes,
    fitsBelow: false,
    scale: 'log',
    // The peak barely moves with the host: the margin is linear in its memory.
    interpolation: 'linear',
    snap: mib,
    // Hosts and container limits come in whole MiB.
    step: () => MiB,
    scenarioAt: (m) => ({ ...base, host: { ...base.host, memoryBytes: m } }),
    memoryAt: (m) => m,
    answerOf: (m) => m,
  };
}

function axisFor(plan: PlanRequest, base: Scenario, run: ResolvedRun): QuestionAxis {
  const memory = plan.host.memoryBytes!;
  switch (plan.question) {
    case 'max-dataset':
    case 'max-maxmemory':
      return datasetAxis(base, run, memory, plan.question);
    case 'max-write-rate':
      return writeRateAxis(base, memory);
    case 'max-snapshot-duration':
      return durationAxis(base, run, memory);
    case 'min-host-memory':
      return hostMemoryAxis(base, run);
  }
}

export const budgetBytes = (memoryBytes: number, headroomPercent: number) => memoryBytes * (1 - headroomPercent / 100);

/** Exact mode on the boundary, when its writes are few enough to walk. */
function exactCheck(scenario: Scenario, expected: EngineSummary, budget: number): PlanResult['exactCheck'] {
  const peakRate = Math.max(scenario.workload.writesPerSec, ...(scenario.workload.writeSchedule ?? []).map((s) => s.writesPerSec));
  const walked = expected.children.reduce((sum, c) => sum + (c.endSec - c.startSec) * peakRate, 0);
  if (expected.keys > PLAN_EXACT_MAX_KEYS) {
    return {
      status: 'skipped',
      fits: null,
      peakBytes: null,
      differencePercent: null,
      reason: `exact mode would hold ${expected.keys.toExponential(2)} keys, past the plan's ${PLAN_EXACT_MAX_KEYS.toExponential(0)}; the answer rests on expected mode, which agrees with exact within 3% plus sampling noise`,
    };
  }
  if (walked > PLAN_EXACT_MAX_WRITES) {
    return {
      status: 'skipped',
      fits: null,
      peakBytes: null,
      differencePercent: null,
      reason: `exact mode would walk ${walked.toExponential(2)} writes, past the plan's ${PLAN_EXACT_MAX_WRITES.toExponential(0)}; the answer rests on expected mode, which agrees with exact within 3% plus sampling noise`,
    };
  }
  try {
    const exact = simulate({ ...scenario, simulation: { ...scenario.simulation, mode: 'exact' } }).summary;
    const peak = exact.oom.peakBytes;
    const differencePercent = Math.round((1e4 * (peak - expected.oom.peakBytes)) / expected.oom.peakBytes) / 100;
    return { status: Math.abs(differencePercent) <= MODES_AGREE_PERCENT ? 'agrees' : 'disagrees', fits: peak <= budget, peakBytes: peak, differencePercent };
  } catch (err) {
    if (err instanceof EngineError && err.code === 'EXACT_TOO_LARGE') return { status: 'skipped', fits: null, peakBytes: null, differencePercent: null, reason: err.message };
    throw err;
  }
}

export function plan(request: PlanRequest, hooks: PlanHooks = {}): PlanResult {
  const base = preparedBase(request);
  const run = resolveRun(base);
  const axis = axisFor(request, base, run);
  const summaries = new Map<number, EngineSummary>();
  const evaluate = (value: number): Probe => {
    const summary = simulate(axis.scenarioAt(value)).summary;
    summaries.set(value, summary);
    const budget = budgetBytes(axis.memoryAt(value), request.headroomPercent);
    const peakBytes = summary.oom.peakBytes;
    hooks.onProgress?.(Math.min(0.95, summaries.size / 16));
    return { value, fits: peakBytes <= budget, marginBytes: budget - peakBytes, peakBytes };
  };
  const search = searchBoundary(axis, evaluate);
  const { outcome } = search;
  const probes = search.probes.map((p) => ({ value: p.value, peakBytes: p.peakBytes, fits: p.fits }));
  const fitsDescription = (memoryBytes: number | null, summary: EngineSummary | undefined): PlanResult['fits'] => ({
    budgetBytes: memoryBytes === null ? 0 : Math.floor(budgetBytes(memoryBytes, request.headroomPercent)),
    memoryBytes,
    reservedBytes: summary?.oom.reservedBytes ?? null,
    headroomPercent: request.headroomPercent,
  });

  // Along a monotone axis the base fits when its own value is within the answer.
  const baseValue = request.question === 'max-write-rate' ? axis.snap(Math.max(base.workload.writesPerSec, ...(base.workload.writeSchedule ?? []).map((w) => w.writesPerSec))) : run.durationSec;
  const baseFits = outcome.kind === 'all-fit' ? true : outcome.kind === 'none-fit' ? false : baseValue <= outcome.inside.value;
  let answer: PlanResult['answer'];
  let boundary: PlanResult['boundary'] = null;
  let beyond: PlanResult['beyond'] = null;
  let step: number | null = null;
  let check: PlanResult['exactCheck'] = { status: 'skipped', fits: null, peakBytes: null, differencePercent: null, reason: 'no boundary to check' };
  let memoryForFits: number | null = request.host.memoryBytes ?? null;
  let fitsSummary: EngineSummary | undefined;
  if (outcome.kind === 'boundary') {
    const summary = summaries.get(outcome.inside.value)!;
    const beyondSummary = summaries.get(outcome.beyond.value)!;
    const value = axis.answerOf(outcome.inside.value, summary);
    const beyondValue = (axis.beyondOf ?? axis.answerOf)(outcome.beyond.value, beyondSummary);
    const scenario = axis.scenarioAt(outcome.inside.value);
    memoryForFits = axis.memoryAt(outcome.inside.value);
    fitsSummary = summary;
    answer = { value, unit: axis.unit, ...(axis.equivalents ? { equivalents: axis.equivalents(outcome.inside.value, summary) } : {}) };
    boundary = { scenario, summary };
    beyond = { value: beyondValue, peakBytes: outcome.beyond.peakBytes, fits: false };
    step = beyondValue - value;
    check = exactCheck(scenario, summary, budgetBytes(memoryForFits, request.headroomPercent));
  } else if (outcome.kind === 'all-fit') {
    fitsSummary = summaries.get(outcome.inside.value)!;
    answer = {
      value: null,
      unit: axis.unit,
      reason: `every value fits: even ${axis.answerOf(outcome.inside.value, fitsSummary)} ${axis.unit}, the engine's limit on this axis, peaks at ${outcome.inside.peakBytes} B within the budget`,
    };
  } else {
    fitsSummary = summaries.get(outcome.beyond.value)!;
    memoryForFits = axis.memoryAt(outcome.beyond.value);
    answer = {
      value: null,
      unit: axis.unit,
      reason: `no value fits: even ${axis.answerOf(outcome.beyond.value, fitsSummary)} ${axis.unit} peaks at ${outcome.beyond.peakBytes} B, over the budget of ${Math.floor(budgetBytes(memoryForFits, request.headroomPercent))} B`,
    };
  }
  hooks.onProgress?.(1);
  return {
    question: request.question,
    answer,
    boundary,
    beyond,
    step,
    fits: fitsDescription(memoryForFits, fitsSummary),
    iterations: search.probes.length,
    probes,
    monotone: search.monotone,
    ...(search.monotonicityNote ? { monotonicityNote: search.monotonicityNote } : {}),
    exactCheck: check,
    cloudRules: cloudRules({
      question: request.question,
      memoryBytes: request.host.memoryBytes ?? null,
      baseUsedMemoryBytes: run.usedMemoryBytes,
      baseFits,
      answerValue: answer.value,
      answerUnit: axis.unit,
    }),
  };
}
