// Byte sizes as users write them: a plain count, or a number with an SI (kB, MB, GB, TB:
// powers of 1000) or IEC (KiB, MiB, GiB, TiB: powers of 1024) unit.
import { z } from './zod.js';

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/;

/** Parses "16GiB", "512 MB", "100" into bytes; undefined when the text is not a size. */
export function parseByteSize(text: string): number | undefined {
  const match = SIZE_PATTERN.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? '').toLowerCase();
  const factor = unit === '' ? 1 : UNIT_BYTES[unit];
  if (factor === undefined) return undefined;
  return Math.round(Number(match[1]) * factor);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(2)} ${units[unit]}`;
}

/** A byte size field: integer bytes or a size string, checked against [min, max] after parsing. */
export function byteSize(min: number, max: number) {
  const limits = `${formatBytes(min)} to ${formatBytes(max)}`;
  return z
    .union([z.number(), z.string()], {
      error: (issue) =>
        issue.input === undefined
          ? `required: a byte count or a size such as "16GiB" (${limits})`
          : `expected a byte count or a size such as "16GiB", got ${typeof issue.input}`,
    })
    .transform((raw, ctx) => {
      const bytes = typeof raw === 'number' ? raw : parseByteSize(raw);
      if (bytes === undefined || !Number.isFinite(bytes)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a byte count or a size such as "16GiB" or "512MB", got ${JSON.stringify(raw)}`,
        });
        return z.NEVER;
      }
      if (!Number.isInteger(bytes) || bytes < min || bytes > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number of bytes from ${limits}, got ${bytes}` });
        return z.NEVER;
      }
      return bytes;
    })
    // Checked above already; the pipe names the result, so a response can describe it.
    .pipe(z.number().int().min(min).max(max))
    .openapi({
      description: `Bytes, or a size with a unit (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB); ${limits}.`,
      oneOf: [
        { type: 'integer', minimum: min, maximum: max },
        { type: 'string', pattern: SIZE_PATTERN.source },
      ],
    });
}
