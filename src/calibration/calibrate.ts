// Fits a platform preset to observed forks. fork() copies one PTE per resident 4 KiB page and
// one PMD per 2 MiB huge page (MODEL.md §5), so its time is a fixed cost plus a cost per GiB
// mapped each way: latest_fork_usec = fixed + perGiB·(1−h)·RSS + perGiBHuge·h·RSS, h the
// huge-page share (runs under half on huge pages count as 4 KiB forks: their huge pages were
// split before the fork). Entries still writable at fork (share w, written since the previous
// fork) cost a ratio r more, so each GiB counts 1 + (r−1)·w times and the fit gives the
// write-protected cost; forks mostly of writable entries fit r itself, else r is the reference
// VM's. With the fixed cost held, each observation gives a ratio; the preset takes
// their median (one run slowed 3× by a busy neighbour does not move it), and the least-squares
// slope through the fixed cost is reported beside it. A copy-on-write fault's cost is the
// parent's system CPU per minor fault while the child lived (how the reference preset's 61 µs
// was measured), fitted the same way from runs on 4 KiB pages. Pure: no I/O.
import {
  HUGE_PMD_COST_RATIO,
  HUGE_WRITABLE_PMD_COST_RATIO,
  platformPreset,
  WRITABLE_PTE_COST_RATIO,
  type PlatformPreset,
} from '../engine/platforms.js';
import type { CalibrationObservation, CalibrationRequest, CalibrationResult, LineFit } from '../schemas/calibration.js';
import { round } from '../engine/numbers.js';

const GiB = 2 ** 30;
/**
 * Forks with less of the heap on huge pages join the 4 KiB fit (their huge share charged at the
 * reference rate): a THP run whose huge pages were split before the fork is a 4 KiB fork.
 */
export const HUGE_FIT_MIN_COVERAGE = 0.5;
/** Forks with at least this share of writable entries fit the writable cost. */
export const WRITABLE_FIT_MIN_SHARE = 0.5;
/** Rounds of the alternating write-protected / writable fit (it settles in two or three). */
const WRITABLE_FIT_ROUNDS = 4;
/** Runs with fewer parent faults say little about a fault's cost (a no-write run has ~150). */
export const MIN_FAULTS_FOR_FIT = 1000;
const OUTLIER_ROBUST_Z = 3.5;
const MAD_TO_SIGMA = 1.4826;

const REFERENCE = platformPreset('reference-kvm');
/** fork cost per GiB on huge pages relative to 4 KiB pages (reference VM, kernel tables). */
export const REFERENCE_HUGE_RATIO = HUGE_PMD_COST_RATIO;
/** Writable vs write-protected PMDs (reference VM, kernel tables). */
const HUGE_WRITABLE_RATIO = HUGE_WRITABLE_PMD_COST_RATIO / HUGE_PMD_COST_RATIO;

/** GiB an observation maps, weighted to write-protected entries: writable ones cost more. */
function wpEquivalent(gib: number, writable: number, ratio: number): number {
  return gib * (1 + (ratio - 1) * writable);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface FitPoint {
  label: string;
  /** Regressor (GiB mapped, or faults). */
  x: number;
  /** Measured µs, including `offsetUsec`. */
  measuredUsec: number;
  /** Part of the measurement the slope does not explain (fixed cost, the other page size's share). */
  offsetUsec: number;
}

/** Slope through the offset: median of per-point ratios, least squares beside it. */
export function fitSlope(points: readonly FitPoint[], xUnit: LineFit['xUnit']): LineFit {
  if (points.length === 0) throw new RangeError('fitSlope needs at least one point');
  const ys = points.map((p) => p.measuredUsec - p.offsetUsec);
  const ratios = points.map((p, i) => ys[i]! / p.x);
  const slope = median(ratios);
  const sxx = points.reduce((s, p) => s + p.x * p.x, 0);
  const sxy = points.reduce((s, p, i) => s + p.x * ys[i]!, 0);
  const leastSquares = sxy / sxx;
  const meanY = ys.reduce((s, y) => s + y, 0) / ys.length;
  const ssTot = ys.reduce((s, y) => s + (y - meanY) ** 2, 0);
  const ssRes = points.reduce((s, p, i) => s + (ys[i]! - leastSquares * p.x) ** 2, 0);
  const mad = median(ratios.map((r) => Math.abs(r - slope)));
  const residuals = points.map((p, i) => {
    const predicted = p.offsetUsec + slope * p.x;
    const deviation = Math.abs(ratios[i]! - slope);
    return {
      label: p.label,
      x: round(p.x, 6),
      measuredUsec: round(p.measuredUsec, 3),
      predictedUsec: round(predicted, 3),
      errorPercent: round((100 * (predicted - p.measuredUsec)) / p.measuredUsec, 2),
      outlier: mad > 0 ? deviation / (MAD_TO_SIGMA * mad) > OUTLIER_ROBUST_Z : deviation > 1e-9 * Math.abs(slope),
    };
  });
  return {
    n: points.length,
    xUnit,
    medianUsecPerUnit: round(slope, 4),
    leastSquaresUsecPerUnit: round(leastSquares, 4),
    r2: points.length >= 2 && ssTot > 0 ? round(1 - ssRes / ssTot, 6) : null,
    medianAbsPercentError: round(median(residuals.map((r) => Math.abs(r.errorPercent))), 3),
    residuals,
  };
}

/** RSS of an observation: given, or used_memory × mem_fragmentation_ratio. */
export function observedRssBytes(o: CalibrationObservation): number {
  return o.usedMemoryRssBytes ?? o.usedMemoryBytes! * o.fragmentationRatio!;
}

function hugeShare(o: CalibrationObservation): number {
  return o.hugePages ? (o.hugePageCoverage ?? 1) : 0;
}

const labelOf = (o: CalibrationObservation, i: number) => o.label ?? `observation ${i + 1}`;

export function calibrate(request: CalibrationRequest): CalibrationResult {
  const fixed = request.forkFixedUsec ?? REFERENCE.forkFixedUsec;
  const all = request.observations.map((o, i) => ({
    o,
    label: labelOf(o, i),
    rss: observedRssBytes(o),
    h: hugeShare(o),
    w: o.writablePteShare,
  }));
  const small = all.filter((a) => a.h < HUGE_FIT_MIN_COVERAGE);
  const huge = all.filter((a) => a.h >= HUGE_FIT_MIN_COVERAGE);
  const derived: string[] = [];
  /** A fit's median as a cost, or undefined (and why) when the data gave none. */
  const rate = (fit: LineFit | null, field: string): number | undefined => {
    if (!fit) return undefined;
    if (fit.medianUsecPerUnit > 0) return fit.medianUsecPerUnit;
    derived.push(`${field}: the fit gave ${fit.medianUsecPerUnit}, not a cost`);
    return undefined;
  };

  // Forks mostly of writable entries (a first fork, a refill) fit the writable cost on their
  // own once write-protected ones fix the other; a few rounds settle the ratio between them.
  const protectedRuns = small.filter((a) => a.w < WRITABLE_FIT_MIN_SHARE);
  const writableRuns = small.filter((a) => a.w >= WRITABLE_FIT_MIN_SHARE);
  const smallGiB = (a: (typeof all)[number]) => ((1 - a.h) * a.rss) / GiB;
  const hugeOffset = (a: (typeof all)[number]) => REFERENCE.forkUsecPerGiBHuge * wpEquivalent((a.h * a.rss) / GiB, a.w, HUGE_WRITABLE_RATIO);
  let writableRatio = WRITABLE_PTE_COST_RATIO;
  let fork: LineFit | null = null;
  let forkWritable: LineFit | null = null;
  const fitRounds = protectedRuns.length > 0 && writableRuns.length > 0 ? WRITABLE_FIT_ROUNDS : 1;
  for (let pass = 0; pass < fitRounds; pass++) {
    const basis = protectedRuns.length > 0 ? protectedRuns : small;
    fork =
      basis.length > 0
        ? fitSlope(
            basis.map((a) => ({
              label: a.label,
              x: wpEquivalent(smallGiB(a), a.w, writableRatio),
              measuredUsec: a.o.latestForkUsec,
              offsetUsec: fixed + hugeOffset(a),
            })),
            'GiB',
          )
        : null;
    if (!fork || fitRounds === 1 || fork.medianUsecPerUnit <= 0) break;
    const wp = fork.medianUsecPerUnit;
    forkWritable = fitSlope(
      writableRuns.map((a) => ({
        label: a.label,
        x: smallGiB(a) * a.w,
        measuredUsec: a.o.latestForkUsec,
        offsetUsec: fixed + hugeOffset(a) + wp * smallGiB(a) * (1 - a.w),
      })),
      'GiB',
    );
    if (forkWritable.medianUsecPerUnit <= 0) break;
    writableRatio = forkWritable.medianUsecPerUnit / wp;
  }
  const smallRate = rate(fork, 'forkUsecPerGiB');
  // Huge-page runs still map some RSS with 4 KiB pages; that share is charged at the 4 KiB
  // rate (fitted, or the reference VM's until one is known).
  const forkHuge =
    huge.length > 0
      ? fitSlope(
          huge.map((a) => ({
            label: a.label,
            x: wpEquivalent((a.h * a.rss) / GiB, a.w, HUGE_WRITABLE_RATIO),
            measuredUsec: a.o.latestForkUsec,
            offsetUsec: fixed + (smallRate ?? REFERENCE.forkUsecPerGiB) * wpEquivalent(smallGiB(a), a.w, writableRatio),
          })),
          'GiB',
        )
      : null;
  const hugeRate = rate(forkHuge, 'forkUsecPerGiBHuge');

  let forkUsecPerGiB = smallRate;
  if (forkUsecPerGiB === undefined && hugeRate !== undefined) {
    forkUsecPerGiB = hugeRate / REFERENCE_HUGE_RATIO;
    derived.push('forkUsecPerGiB (huge-page fit ÷ the reference VM’s huge/4 KiB ratio)');
  } else if (forkUsecPerGiB === undefined) {
    forkUsecPerGiB = REFERENCE.forkUsecPerGiB;
    derived.push('forkUsecPerGiB (the reference VM’s)');
  }
  let forkWritableUsecPerGiB = rate(forkWritable, 'forkWritableUsecPerGiB');
  if (forkWritableUsecPerGiB === undefined) {
    forkWritableUsecPerGiB = forkUsecPerGiB * WRITABLE_PTE_COST_RATIO;
    derived.push('forkWritableUsecPerGiB (write-protected cost × the reference VM’s writable ratio)');
  }
  let forkUsecPerGiBHuge = hugeRate;
  if (forkUsecPerGiBHuge === undefined) {
    forkUsecPerGiBHuge = forkUsecPerGiB * REFERENCE_HUGE_RATIO;
    derived.push('forkUsecPerGiBHuge (4 KiB fit × the reference VM’s huge/4 KiB ratio)');
  }

  const faultRuns = small.filter((a) => a.o.copyOnWriteFaults !== undefined && a.o.copyOnWriteFaults >= MIN_FAULTS_FOR_FIT);
  const cowFault =
    faultRuns.length > 0
      ? fitSlope(
          faultRuns.map((a) => ({ label: a.label, x: a.o.copyOnWriteFaults!, measuredUsec: a.o.faultSystemCpuSec! * 1e6, offsetUsec: 0 })),
          'faults',
        )
      : null;
  let cowFaultUsec = rate(cowFault, 'cowFaultUsec');
  if (cowFaultUsec === undefined) {
    // As the named presets do: fault handling and fork are both page-table work under the same hypervisor.
    cowFaultUsec = REFERENCE.cowFaultUsec * (forkUsecPerGiB / REFERENCE.forkUsecPerGiB);
    derived.push('cowFaultUsec (reference VM’s fault cost scaled by the fork cost)');
  }

  const counts = [
    fork && `${fork.n} fork(s) on 4 KiB pages`,
    forkWritable && `${forkWritable.n} with mostly writable entries`,
    forkHuge && `${forkHuge.n} on huge pages`,
    cowFault && `${cowFault.n} run(s) with fault counts`,
  ].filter(Boolean);
  const preset: PlatformPreset = {
    id: request.id,
    label: request.label ?? `calibrated from ${request.observations.length} observation(s)`,
    forkUsecPerGiB: round(forkUsecPerGiB, 1),
    forkWritableUsecPerGiB: round(forkWritableUsecPerGiB, 1),
    forkUsecPerGiBHuge: round(forkUsecPerGiBHuge, 1),
    forkWritableUsecPerGiBHuge: round(forkUsecPerGiBHuge * HUGE_WRITABLE_RATIO, 1),
    forkFixedUsec: fixed,
    cowFaultUsec: round(cowFaultUsec, 2),
    source: `forkcast calibrate: median ratios over ${counts.join(', ')}, fixed fork cost ${fixed} µs`,
  };
  return {
    preset,
    fits: { fork, forkWritable, forkHuge, cowFault },
    derived,
    scenarioKernel: {
      forkUsecPerGiB: preset.forkUsecPerGiB,
      forkWritableUsecPerGiB: preset.forkWritableUsecPerGiB,
      forkUsecPerGiBHuge: preset.forkUsecPerGiBHuge,
      cowFaultUsec: preset.cowFaultUsec,
    },
  };
}

