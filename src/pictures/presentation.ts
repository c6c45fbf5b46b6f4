// What the pictures read off a summary beside the INFO-named figures: the verdict, warnings and
// advice (results stored before they existed have none: each is read as possibly absent), and
// the margin below the host limit that makes a peak "tight".
import { DEFAULT_MARGIN_PERCENT } from '../engine/defaults.js';
import type { Advice, EngineSummary, Verdict, Warning } from '../schemas/result.js';
import { humanBytes, humanPercent } from './human-units.js';

export type VerdictLevel = NonNullable<Verdict['level']>;

/** A summary as the pictures take it: simulate()'s (no advice) or the full one. */
export type PictureSummary = EngineSummary & { advice?: Advice[] };

export interface AdviceView {
  /** What to change and its effect, in words. */
  text: string;
  /** The verdict with the change. */
  verdictText: string | null;
}

export interface Presentation {
  verdict: Verdict | null;
  warnings: Warning[];
  advice: AdviceView[];
  marginPercent: number;
}

export function presentationOf(summary: PictureSummary): Presentation {
  const stored = summary as Partial<PictureSummary>;
  return {
    verdict: stored.verdict ?? null,
    warnings: stored.warnings ?? [],
    // The advice's own text usually states the verdict with the change already.
    advice: (stored.advice ?? []).map((a) => ({ text: a.text, verdictText: a.verdict && !a.text.includes(a.verdict.text) ? a.verdict.text : null })),
    marginPercent: summary.scenario.host.marginPercent ?? DEFAULT_MARGIN_PERCENT,
  };
}

/** "peak 1.68 GiB of 32 GiB, 30.3 GiB (94.7%) headroom", or the peak alone when no limit was given. */
export function peakText(summary: PictureSummary): string {
  const { oom } = summary;
  if (oom.limitBytes === null) return `peak ${humanBytes(oom.peakBytes)}; no host limit given (host.memoryBytes)`;
  const headroom = oom.limitBytes - oom.peakBytes;
  const over = oom.firstExceededAtSec !== null;
  const tail = over ? `over the limit from ${oom.firstExceededAtSec!.toFixed(1)} s` : `${humanBytes(headroom)} (${humanPercent((headroom / oom.limitBytes) * 100)}) headroom`;
  return `peak ${humanBytes(oom.peakBytes)} of ${humanBytes(oom.limitBytes)}, ${tail}`;
}
