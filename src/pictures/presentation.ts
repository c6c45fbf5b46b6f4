// What the pictures read off a summary beside the INFO-named figures: the verdict, warnings and
// advice when the result carries them (results stored before they existed do not), and the
// margin below the host limit that makes a peak "tight".
import type { Summary } from '../schemas/result.js';
import { humanBytes, humanPercent } from './human-units.js';

export type VerdictLevel = 'ok' | 'tight' | 'oom';

export interface VerdictView {
  /** null without a host limit: there is nothing to survive. */
  level: VerdictLevel | null;
  headroomBytes: number | null;
  headroomPercent: number | null;
  text: string;
}

export interface WarningView {
  code: string;
  message: string;
  path?: string;
}

export interface AdviceView {
  /** What to change and its effect, in words. */
  text: string;
  /** The verdict with the change, when the advice carries one. */
  verdictText: string | null;
}

export interface Presentation {
  verdict: VerdictView | null;
  warnings: WarningView[];
  advice: AdviceView[];
  marginPercent: number;
}

/**
 * host.marginPercent's default: below 10% of the limit free at the peak a forecast is "tight",
 * about the error of a forecast whose write rate or value size is read off a busy instance.
 */
export const DEFAULT_MARGIN_PERCENT = 10;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function verdictOf(value: unknown): VerdictView | null {
  if (!isRecord(value) || typeof value.text !== 'string') return null;
  const level = value.level === 'ok' || value.level === 'tight' || value.level === 'oom' ? value.level : null;
  if (level === null && value.level !== null) return null;
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return { level, headroomBytes: num(value.headroomBytes), headroomPercent: num(value.headroomPercent), text: value.text };
}

function warningsOf(value: unknown): WarningView[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).flatMap((w) =>
    typeof w.code === 'string' && typeof w.message === 'string' ? [{ code: w.code, message: w.message, ...(typeof w.path === 'string' ? { path: w.path } : {}) }] : [],
  );
}

function adviceOf(value: unknown): AdviceView[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): AdviceView[] => {
    if (!isRecord(item) || typeof item.text !== 'string') return [];
    return [{ text: item.text, verdictText: verdictOf(item.verdict)?.text ?? null }];
  });
}

export function presentationOf(summary: Summary): Presentation {
  const extra = summary as Summary & { verdict?: unknown; warnings?: unknown; advice?: unknown };
  const host = summary.scenario.host as { marginPercent?: unknown };
  return {
    verdict: verdictOf(extra.verdict),
    warnings: warningsOf(extra.warnings),
    advice: adviceOf(extra.advice),
    marginPercent: typeof host.marginPercent === 'number' ? host.marginPercent : DEFAULT_MARGIN_PERCENT,
  };
}

/** "peak 1.68 GiB of 32 GiB, 30.3 GiB (94.7%) headroom", or the peak alone when no limit was given. */
export function peakText(summary: Summary): string {
  const { oom } = summary;
  if (oom.limitBytes === null) return `peak ${humanBytes(oom.peakBytes)}; no host limit given (host.memoryBytes)`;
  const headroom = oom.limitBytes - oom.peakBytes;
  const over = oom.firstExceededAtSec !== null;
  const tail = over ? `over the limit from ${oom.firstExceededAtSec!.toFixed(1)} s` : `${humanBytes(headroom)} (${humanPercent((headroom / oom.limitBytes) * 100)}) headroom`;
  return `peak ${humanBytes(oom.peakBytes)} of ${humanBytes(oom.limitBytes)}, ${tail}`;
}
