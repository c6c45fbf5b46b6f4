// Rounding for recorded figures: reports keep the precision a measurement has, not float noise.

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
