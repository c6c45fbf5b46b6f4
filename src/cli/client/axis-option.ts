// `--axis` of `forkcast sweep`: an axis of a sweep written on the command line.
//   workload.writesPerSec=1000,5000,20000        values (numbers where they are numbers)
//   kernel.thp=never,always                      values as text
//   workload.writesPerSec=1000..100000:20:log    from..to, steps, scale (linear by default)
import { InvalidArgumentError } from 'commander';

export type AxisSpec =
  | { path: string; values: Array<number | string> }
  | { path: string; from: number; to: number; steps: number; scale: 'linear' | 'log' };

const RANGE = /^(-?[\d.]+(?:e[+-]?\d+)?)\.\.(-?[\d.]+(?:e[+-]?\d+)?):(\d+)(?::(linear|log))?$/i;

function value(text: string): number | string {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

export function parseAxis(text: string, previous: AxisSpec[] = []): AxisSpec[] {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) throw new InvalidArgumentError('expected path=v1,v2,… or path=from..to:steps[:log]');
  const path = text.slice(0, eq);
  const rest = text.slice(eq + 1);
  const range = RANGE.exec(rest);
  const axis: AxisSpec = range
    ? { path, from: Number(range[1]), to: Number(range[2]), steps: Number(range[3]), scale: (range[4]?.toLowerCase() as 'linear' | 'log' | undefined) ?? 'linear' }
    : { path, values: rest.split(',').map(value) };
  return [...previous, axis];
}
