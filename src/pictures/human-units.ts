// Sizes and times as a person reads them: binary units for memory (what free, top and INFO's
// *_human fields show), seconds or milliseconds for time, grouped digits for counts.

const KIB = 1024;
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 1.5 GiB, 512 MiB, 100 B: three significant digits, binary units. */
export function humanBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const sign = bytes < 0 ? '−' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= KIB && unit < UNITS.length - 1) {
    value /= KIB;
    unit++;
  }
  return `${sign}${unit === 0 ? String(Math.round(value)) : significant(value)} ${UNITS[unit]}`;
}

/** 445 µs, 51.6 ms, 2.10 s, 9 min 30 s. */
export function humanDuration(sec: number): string {
  if (!Number.isFinite(sec)) return String(sec);
  const abs = Math.abs(sec);
  if (abs < 1e-3) return `${significant(sec * 1e6)} µs`;
  if (abs < 1) return `${significant(sec * 1e3)} ms`;
  if (abs < 120) return `${significant(sec)} s`;
  const minutes = Math.floor(abs / 60);
  return `${sec < 0 ? '−' : ''}${minutes} min ${Math.round(abs - minutes * 60)} s`;
}

/** 5,722,554 */
export function humanCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 2.2% */
export function humanPercent(percent: number): string {
  return `${significant(percent)}%`;
}

/** Three significant digits without exponent notation: 1.50, 51.6, 698. */
function significant(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100 || abs === 0) return String(Math.round(value));
  // 32 GiB, not 32.0 GiB: trailing zeros carry no precision a reader needs.
  return String(Number(value.toFixed(abs >= 10 ? 1 : 2)));
}
