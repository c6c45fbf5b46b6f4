// A bracketing search for the boundary of a monotone predicate along one axis: the last value
// that fits and the first that does not, no further apart than the axis' step. It starts at
// the base scenario's own value and jumps (secants of the margin, ×1.25–×16) until the
// predicate flips; inside the bracket each round is a guess where the margin would cross zero
// — the secant of the two latest probes when it falls inside the bracket (Dekker), else false
// position between the ends (the margin is nearly linear near the answer, so it lands close),
// then a probe one step past the guess to close the bracket (when the guess lands within a
// few steps of the root); an end kept twice running counts half its margin (Illinois). Two
// rounds that do not quarter the bracket make the next a bisection, so the bracket halves at
// least every five probes (the safeguard of Brent's and the ITP method).

/** One simulated point of the axis. */
export interface Probe {
  value: number;
  fits: boolean;
  /** Budget − peak, bytes: ≥ 0 when it fits. */
  marginBytes: number;
  peakBytes: number;
}

export interface SearchAxis {
  /** The ends of the search: the engine's limits, or physical bounds. */
  lo: number;
  hi: number;
  /** Where to start: the base scenario's own value, which is usually near the answer. */
  start: number;
  /** True: small values fit (a maximum is sought); false: large values fit (a minimum). */
  fitsBelow: boolean;
  /** How bisection halves a bracket: arithmetic or geometric means. */
  scale: 'linear' | 'log';
  /** Along what the margin is taken as linear for a guess: the value, or its logarithm (saturating curves). */
  interpolation: 'linear' | 'log';
  /** The nearest value the axis can take (whole keys, writes/s, MiB). */
  snap(value: number): number;
  /** The resolution at a value: the search stops once the bracket is this narrow. */
  step(value: number): number;
}

export type SearchOutcome =
  | { kind: 'boundary'; inside: Probe; beyond: Probe }
  | { kind: 'all-fit'; inside: Probe }
  | { kind: 'none-fit'; beyond: Probe };

export interface SearchResult {
  outcome: SearchOutcome;
  probes: Probe[];
  monotone: boolean;
  monotonicityNote?: string;
}

/** Rounds of each phase before the search gives up: far more than 2^64 of any axis' range needs. */
export const MAX_SEARCH_ITERATIONS = 64;
/** How far one bracketing jump may go: at least ×1.25 (progress), at most ×16 (no wild secants). */
const MIN_JUMP = 1.25;
const MAX_JUMP = 16;

export function searchBoundary(axis: SearchAxis, evaluate: (value: number) => Probe): SearchResult {
  const probes: Probe[] = [];
  const run = (value: number) => {
    const probe = evaluate(value);
    probes.push(probe);
    return probe;
  };
  // Towards the end that does not fit.
  const outward = axis.fitsBelow ? 1 : -1;
  const farEnd = axis.fitsBelow ? axis.hi : axis.lo;
  const nearEnd = axis.fitsBelow ? axis.lo : axis.hi;

  // Bracket: from the start, jump away from the side it is on until the predicate flips,
  // each jump a secant of the last two margins, clamped to [MIN_JUMP, MAX_JUMP].
  let first = run(axis.snap(Math.min(axis.hi, Math.max(axis.lo, axis.start))));
  let previous: Probe | undefined;
  let good: Probe | undefined = first.fits ? first : undefined;
  let bad: Probe | undefined = first.fits ? undefined : first;
  for (let i = 0; i < MAX_SEARCH_ITERATIONS && (good === undefined || bad === undefined); i++) {
    const current = first;
    // Moving outward while it fits, inward while it does not.
    const sign = current.fits ? outward : -outward;
    const end = current.fits ? farEnd : nearEnd;
    let target = jump(current.value, sign, end);
    if (previous !== undefined && previous.marginBytes !== current.marginBytes) {
      const secant = current.value - (current.marginBytes * (current.value - previous.value)) / (current.marginBytes - previous.marginBytes);
      if (Number.isFinite(secant) && (secant - current.value) * sign > 0) target = clampJump(current.value, secant, sign, end);
    }
    let value = axis.snap(target);
    // Snapped back onto itself (near zero, or a whole unit away from the end): the end itself.
    if (value === current.value) value = end;
    const next = run(value);
    previous = current;
    first = next;
    if (next.fits) good = next;
    else bad = next;
    if (next.fits === current.fits && next.value === end) break;
  }
  if (good === undefined) return finish({ kind: 'none-fit', beyond: bad! }, probes, axis);
  if (bad === undefined) return finish({ kind: 'all-fit', inside: good }, probes, axis);

  const mid = (a: number, b: number) => (axis.scale === 'log' && a > 0 && b > 0 ? Math.sqrt(a * b) : (a + b) / 2);
  const closed = () => Math.abs(bad!.value - good!.value) <= axis.step(good!.value) + 1e-12;
  const between = (v: number) => (v - good!.value) * (v - bad!.value) < 0;
  const take = (p: Probe) => {
    if (p.fits) good = p;
    else bad = p;
  };
  let bisect = false;
  // Illinois: an end kept twice running counts half its margin, so one-sided convergence ends.
  let lastTaken: boolean | undefined;
  let weightGood = 1;
  let weightBad = 1;
  // Widths at the start of the last two rounds.
  const widths: number[] = [];
  for (let round = 0; round < MAX_SEARCH_ITERATIONS && !closed(); round++) {
    const before = Math.abs(bad.value - good.value);
    widths.push(before);
    const mg = good.marginBytes * weightGood;
    const mb = bad.marginBytes * weightBad;
    // Where the margin crosses zero, were it linear between the ends.
    const t = mg / (mg - mb);
    // Dekker: the secant of the two latest probes when it falls inside the bracket (superlinear
    // on a smooth margin), else false position between the ends.
    const [p1, p2] = [probes.at(-2)!, probes.at(-1)!];
    const secantT = p2.marginBytes / (p2.marginBytes - p1.marginBytes);
    const secant = p1.value !== p2.value && Number.isFinite(secantT) ? axis.snap(interpolate(p2.value, p1.value, secantT)) : Number.NaN;
    let guess = axis.snap(bisect || !Number.isFinite(t) ? mid(good.value, bad.value) : between(secant) ? secant : interpolate(good.value, bad.value, t));
    if (!between(guess)) guess = axis.snap(mid(good.value, bad.value));
    if (!between(guess)) break;
    const slope = Math.abs(good.marginBytes - bad.marginBytes) / before;

    const p = run(guess);
    take(p);
    if (lastTaken === p.fits) {
      if (p.fits) weightBad /= 2;
      else weightGood /= 2;
    } else {
      weightGood = 1;
      weightBad = 1;
    }
    lastTaken = p.fits;
    // Within a few steps of the root by the margin's slope: a probe one step past the guess,
    // towards the other end, closes the bracket.
    if (!closed() && Math.abs(p.marginBytes) <= 4 * slope * axis.step(p.value)) {
      const direction = Math.sign(bad.value - good.value);
      const next = axis.snap(p.fits ? p.value + direction * axis.step(p.value) : p.value - direction * axis.step(p.value));
      if (between(next)) take(run(next));
    }
    // Two rounds that did not quarter the bracket between them: bisect once.
    const twoBack = widths.at(-2);
    bisect = !bisect && twoBack !== undefined && Math.abs(bad.value - good.value) > twoBack / 4;
    if (bisect) widths.length = 0;
  }
  return finish({ kind: 'boundary', inside: good, beyond: bad }, probes, axis);

  function interpolate(a: number, b: number, t: number): number {
    if (axis.interpolation === 'log' && a > 0 && b > 0) return Math.exp(Math.log(a) + (Math.log(b) - Math.log(a)) * t);
    return a + (b - a) * t;
  }
  function jump(value: number, sign: number, end: number): number {
    if (value <= 0) return sign > 0 ? Math.min(end, Math.max(axis.step(value), (axis.hi - axis.lo) * 1e-6)) : end;
    return clampJump(value, sign > 0 ? value * 2 : value / 2, sign, end);
  }
  function clampJump(value: number, target: number, sign: number, end: number): number {
    if (value <= 0) return sign > 0 ? Math.min(end, target) : end;
    const ratio = sign > 0 ? target / value : value / Math.max(target, Number.MIN_VALUE);
    const clamped = Math.min(MAX_JUMP, Math.max(MIN_JUMP, ratio));
    const v = sign > 0 ? value * clamped : value / clamped;
    // Past the end, or so close to zero that the next halving would not matter: the end itself.
    return sign > 0 ? Math.min(end, v) : v < Math.max(end, axis.step(value) / 2) ? end : v;
  }
}

/** Margins must not rise along the axis where small values fit (nor fall where large ones do). */
function finish(outcome: SearchOutcome, probes: Probe[], axis: SearchAxis): SearchResult {
  const sorted = [...probes].sort((a, b) => a.value - b.value);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1]!, sorted[i]!];
    const rise = axis.fitsBelow ? b.marginBytes - a.marginBytes : a.marginBytes - b.marginBytes;
    // A thousandth of the peak: the engine's own rounding and sampling steps stay below it.
    if (rise > 1e-3 * Math.max(a.peakBytes, b.peakBytes)) {
      return {
        outcome,
        probes,
        monotone: false,
        monotonicityNote: `the peak is not monotone along the axis: ${a.value} peaks at ${a.peakBytes} B and ${b.value} at ${b.peakBytes} B; the answer is the boundary the search found, and values past it may fit again`,
      };
    }
  }
  return { outcome, probes, monotone: true };
}
