// Rounding for reported figures: results and reports keep the precision a figure has, not float noise.

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
