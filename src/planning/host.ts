// Several instances on one host: each instance's fork event is simulated once (expected mode)
// and its memory curve — parent RSS + child private, the series' hostMemoryBytes — placed at
// every fork it makes within the horizon; between events an instance holds its parent RSS from
// before the fork. The host's timeline is their sum. Then the first-snapshot offsets are
// searched for the stagger that lowers the summed peak most ("shard and stagger",
// redis/redis#10778, #4055).

import { defaultReservedBytes } from '../engine/defaults.js';
import { simulate } from '../engine/simulate.js';
import type { HostRequest, HostResult } from '../schemas/planning.js';
import type { Scenario } from '../schemas/scenario.js';

/** Offsets each instance tries per stagger pass, spread evenly over its period. */
export const STAGGER_CANDIDATES = 24;
/** Passes over all instances at most; the search stops earlier once a pass changes nothing. */
export const STAGGER_MAX_PASSES = 4;
/** Evenly spaced points on which a stagger candidate is judged (each fork's own peak added). */
const STAGGER_GRID_POINTS = 1000;
/** Overlapping pairs listed; overlapCount counts them all. */
export const MAX_OVERLAPS_LISTED = 1000;

export interface HostHooks {
  onProgress?: (fraction: number) => void;
}

/** One instance's simulated fork event, from its fork (or first request) on. */
interface Curve {
  tSec: readonly number[];
  bytes: readonly number[];
  baselineBytes: number;
  eventSec: number;
  peakBytes: number;
  peakAtSec: number;
  children: ReadonlyArray<{ startSec: number; endSec: number }>;
  /** When the next fork event may start: its last child's exit (Redis runs one child at a time). */
  busySec: number;
}

interface Instance {
  name: string;
  curve: Curve;
  periodSec: number | undefined;
}

function curveOf(scenario: Scenario): Curve {
  const { series, summary } = simulate({ ...scenario, simulation: { ...scenario.simulation, mode: 'expected' } });
  const bytes = series.hostMemoryBytes;
  let peak = 0;
  for (let i = 1; i < bytes.length; i++) if (bytes[i]! > bytes[peak]!) peak = i;
  return {
    tSec: series.tSec,
    bytes,
    baselineBytes: series.parentRssBytes[0]!,
    eventSec: series.tSec.at(-1)!,
    peakBytes: bytes[peak]!,
    peakAtSec: series.tSec[peak]!,
    children: summary.children.map((c) => ({ startSec: c.startSec, endSec: c.endSec })),
    busySec: Math.max(...summary.children.map((c) => c.endSec), 0),
  };
}

/** The curve at a time since its event started: linear between samples. */
function curveAt(curve: Curve, t: number): number {
  const { tSec, bytes } = curve;
  if (t <= 0) return bytes[0]!;
  if (t >= curve.eventSec) return bytes.at(-1)!;
  let lo = 0;
  let hi = tSec.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (tSec[mid]! <= t) lo = mid;
    else hi = mid;
  }
  const span = tSec[hi]! - tSec[lo]!;
  return span > 0 ? bytes[lo]! + ((bytes[hi]! - bytes[lo]!) * (t - tSec[lo]!)) / span : bytes[hi]!;
}

/** Fork event starts of one instance: every period from its offset, never while a child lives. */
function forkStarts(instance: Instance, offsetSec: number, horizonSec: number): number[] {
  const starts: number[] = [];
  let readyAt = 0;
  for (let scheduled = offsetSec; scheduled < horizonSec; ) {
    const start = Math.max(scheduled, readyAt);
    if (start >= horizonSec) break;
    starts.push(start);
    readyAt = start + instance.curve.busySec;
    if (instance.periodSec === undefined) break;
    scheduled += instance.periodSec;
  }
  return starts;
}

/** One instance's memory at time t, given its fork starts (sorted). */
function instanceAt(instance: Instance, starts: readonly number[], t: number): number {
  let lo = -1;
  let hi = starts.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= t) lo = mid;
    else hi = mid;
  }
  if (lo < 0 || t - starts[lo]! > instance.curve.eventSec) return instance.curve.baselineBytes;
  return curveAt(instance.curve, t - starts[lo]!);
}

/** Evenly spaced points over the horizon plus every fork's own peak, sorted and distinct. */
function timeline(points: number, horizonSec: number, peaks: readonly number[]): number[] {
  const times = Array.from({ length: points }, (_, i) => (horizonSec * i) / (points - 1));
  for (const p of peaks) if (p >= 0 && p <= horizonSec) times.push(p);
  times.sort((a, b) => a - b);
  return times.filter((t, i) => i === 0 || t !== times[i - 1]);
}

const peakTimes = (instances: readonly Instance[], starts: readonly (readonly number[])[]) => instances.flatMap((inst, i) => starts[i]!.map((s) => s + inst.curve.peakAtSec));

function summed(instances: readonly Instance[], starts: readonly (readonly number[])[], times: readonly number[]): number[] {
  return times.map((t) => instances.reduce((sum, inst, i) => sum + instanceAt(inst, starts[i]!, t), 0));
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

type ForkRef = HostResult['overlaps'][number]['a'];

function overlaps(instances: readonly Instance[], starts: readonly (readonly number[])[], horizonSec: number): { listed: HostResult['overlaps']; count: number } {
  const lives: ForkRef[] = [];
  instances.forEach((inst, i) =>
    starts[i]!.forEach((s, fork) => {
      for (const c of inst.curve.children) {
        if (s + c.startSec < horizonSec) lives.push({ instance: inst.name, fork, startSec: s + c.startSec, endSec: Math.min(horizonSec, s + c.endSec) });
      }
    }),
  );
  lives.sort((a, b) => a.startSec - b.startSec);
  const listed: HostResult['overlaps'] = [];
  let count = 0;
  let active: ForkRef[] = [];
  for (const life of lives) {
    active = active.filter((a) => a.endSec > life.startSec);
    for (const a of active) {
      if (a.instance === life.instance) continue;
      count++;
      if (listed.length < MAX_OVERLAPS_LISTED) listed.push({ a, b: life, fromSec: life.startSec, toSec: Math.min(a.endSec, life.endSec) });
    }
    active.push(life);
  }
  return { listed, count };
}

/** The offsets one instance may start at: over its period, or over what the horizon leaves after one event. */
function candidateOffsets(instance: Instance, horizonSec: number): number[] {
  const span = instance.periodSec ?? Math.max(0, horizonSec - instance.curve.eventSec);
  if (span <= 0) return [0];
  return Array.from({ length: STAGGER_CANDIDATES }, (_, k) => (span * k) / STAGGER_CANDIDATES);
}

function stagger(instances: readonly Instance[], given: readonly number[], horizonSec: number): { offsets: number[]; evaluations: number } {
  const offsets = [...given];
  const starts = instances.map((inst, i) => forkStarts(inst, offsets[i]!, horizonSec));
  const grid = Array.from({ length: STAGGER_GRID_POINTS }, (_, i) => (horizonSec * i) / (STAGGER_GRID_POINTS - 1));
  let evaluations = 0;
  // Largest own excess over its baseline first: those decide the peak.
  const order = instances.map((_, i) => i).sort((a, b) => instances[b]!.curve.peakBytes - instances[b]!.curve.baselineBytes - (instances[a]!.curve.peakBytes - instances[a]!.curve.baselineBytes));
  const peakWith = (i: number, candidate: readonly number[]) => {
    evaluations++;
    const trial = starts.map((s, j) => (j === i ? candidate : s));
    const times = timeline(2, horizonSec, [...grid, ...peakTimes(instances, trial)]);
    return Math.max(...summed(instances, trial, times));
  };
  for (let pass = 0; pass < STAGGER_MAX_PASSES; pass++) {
    let changed = false;
    for (const i of order) {
      const current = peakWith(i, starts[i]!);
      let best = { peak: current, offset: offsets[i]! };
      for (const offset of candidateOffsets(instances[i]!, horizonSec)) {
        const peak = peakWith(i, forkStarts(instances[i]!, offset, horizonSec));
        // A candidate must lower the peak by more than rounding to replace the current offset.
        if (peak < best.peak - 1) best = { peak, offset };
      }
      if (best.offset !== offsets[i]) {
        offsets[i] = best.offset;
        starts[i] = forkStarts(instances[i]!, best.offset, horizonSec);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return { offsets, evaluations };
}

export function planHost(request: HostRequest, hooks: HostHooks = {}): HostResult {
  const { horizonSec, memoryBytes } = request;
  const reservedBytes = request.reservedBytes ?? defaultReservedBytes('vm', memoryBytes);
  const instances: Instance[] = request.instances.map((inst, i) => {
    const curve = curveOf(inst.scenario);
    hooks.onProgress?.(((i + 1) / request.instances.length) * 0.8);
    return { name: inst.name, curve, periodSec: inst.snapshotEverySec };
  });
  const given = request.instances.map((inst) => inst.firstSnapshotAtSec);
  const starts = instances.map((inst, i) => forkStarts(inst, given[i]!, horizonSec));
  const times = timeline(request.maxPoints, horizonSec, peakTimes(instances, starts));
  const bytes = summed(instances, starts, times);
  const at = argmax(bytes);
  const peakBytes = bytes[at]!;
  const { listed, count } = overlaps(instances, starts, horizonSec);

  const searched = stagger(instances, given, horizonSec);
  const searchedStarts = instances.map((inst, i) => forkStarts(inst, searched.offsets[i]!, horizonSec));
  const searchedTimes = timeline(request.maxPoints, horizonSec, peakTimes(instances, searchedStarts));
  const searchedBytes = summed(instances, searchedStarts, searchedTimes);
  // Judged on the coarser grid, a stagger may lose on the full one: then the given offsets stand.
  const better = Math.max(...searchedBytes) < peakBytes;
  const staggered = better ? searched : { offsets: given, evaluations: searched.evaluations };
  const staggeredTimes = better ? searchedTimes : times;
  const staggeredBytes = better ? searchedBytes : bytes;
  const staggeredAt = argmax(staggeredBytes);
  const baselines = instances.reduce((sum, inst) => sum + inst.curve.baselineBytes, 0);
  hooks.onProgress?.(1);
  return {
    memoryBytes,
    reservedBytes,
    horizonSec,
    peak: { bytes: Math.round(peakBytes), atSec: Math.round(times[at]! * 1e6) / 1e6, headroomBytes: Math.round(memoryBytes - reservedBytes - peakBytes), fits: peakBytes + reservedBytes <= memoryBytes },
    instances: instances.map((inst, i) => ({
      name: inst.name,
      baselineBytes: inst.curve.baselineBytes,
      peakBytes: inst.curve.peakBytes,
      eventSec: inst.curve.eventSec,
      forks: starts[i]!.map((s) => ({ startSec: s, childrenEndSec: s + inst.curve.busySec })),
    })),
    overlaps: listed,
    overlapCount: count,
    stagger: {
      method:
        `coordinate descent over first-snapshot offsets: each instance in turn (largest own excess first) tries ${STAGGER_CANDIDATES} offsets evenly spread over its period ` +
        `(or over the horizon its one event leaves) with the others held, judged on ${STAGGER_GRID_POINTS} points plus every fork's peak, keeping the lowest peak; ` +
        `passes repeat until one changes nothing (at most ${STAGGER_MAX_PASSES}). A local optimum on that grid, not a proven minimum: no stagger can go below lowerBoundBytes.`,
      offsets: instances.map((inst, i) => ({ name: inst.name, firstSnapshotAtSec: staggered.offsets[i]! })),
      peakBytes: Math.round(staggeredBytes[staggeredAt]!),
      peakAtSec: Math.round(staggeredTimes[staggeredAt]! * 1e6) / 1e6,
      reductionBytes: Math.round(peakBytes) - Math.round(staggeredBytes[staggeredAt]!),
      lowerBoundBytes: Math.max(...instances.map((inst) => inst.curve.peakBytes - inst.curve.baselineBytes)) + baselines,
      evaluations: staggered.evaluations,
    },
    series: { tSec: times.map((t) => Math.round(t * 1e6) / 1e6), hostMemoryBytes: bytes.map(Math.round) },
  };
}
