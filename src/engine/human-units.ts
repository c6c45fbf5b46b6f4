// Figures for people: sizes in GiB or MiB, times in ms or s, one unit per sentence so the
// figures in it compare at a glance. Binary units, as free(1) -h and INFO's *_human fields use.

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export type SizeUnit = 'GiB' | 'MiB' | 'KiB';
const UNIT_BYTES: Record<SizeUnit, number> = { GiB, MiB, KiB };

/** The unit a sentence about `bytes` (its largest figure) is written in. */
export function sizeUnitFor(bytes: number): SizeUnit {
  const b = Math.abs(bytes);
  if (b >= GiB) return 'GiB';
  if (b >= MiB) return 'MiB';
  return 'KiB';
}

/** `31.3 GiB`: one decimal, in the given unit or the figure's own. */
export function formatBytes(bytes: number, unit: SizeUnit = sizeUnitFor(bytes)): string {
  return `${(bytes / UNIT_BYTES[unit]).toFixed(1)} ${unit}`;
}

/** `32 GiB`, `1.5 GiB`: a round figure (a limit, a setting) without a trailing `.0`. */
export function formatRoundBytes(bytes: number, unit: SizeUnit = sizeUnitFor(bytes)): string {
  return `${String(Number((bytes / UNIT_BYTES[unit]).toFixed(1)))} ${unit}`;
}

/** `445 µs`, `26.3 ms`, `2.1 s`. */
export function formatSeconds(sec: number): string {
  const a = Math.abs(sec);
  if (a < 1e-3) return `${Math.round(sec * 1e6)} µs`;
  if (a < 1) return `${Number((sec * 1e3).toPrecision(3))} ms`;
  return `${(sec).toFixed(1)} s`;
}

export function formatPercent(percent: number): string {
  return `${percent.toFixed(1)}%`;
}
