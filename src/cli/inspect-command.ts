// `forkcast inspect redis://host:port` (or `--info-file FILE`): a scenario drafted from the
// instance's own figures, its provenance, and the instance's last save beside the forecast.
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { draftScenario, type InspectInput } from '../inspect/draft.js';
import { InspectError } from '../inspect/errors.js';
import { historyCheck } from '../inspect/history-check.js';
import { parseInfoText } from '../inspect/info-text.js';
import { inspectLive, LiveInspectError } from '../inspect/live.js';
import type { HistoryCheck, InspectReport } from '../schemas/inspect.js';
import { formatBytes } from '../schemas/units.js';
import { CliError } from './simulate-command.js';

export interface InspectOptions {
  tls?: boolean;
  sample?: number;
  observe?: number;
  out?: string;
  infoFile?: string;
  format: 'text' | 'json';
  /** Where progress lines go. @defaultValue standard error */
  progress?: (line: string) => void;
}

async function readText(file: string): Promise<string> {
  try {
    if (file !== '-') return await readFile(file, 'utf8');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

async function readings(url: string | undefined, options: InspectOptions): Promise<InspectInput> {
  if (options.infoFile !== undefined) {
    if (url !== undefined) throw new CliError('give a redis:// URL or --info-file, not both');
    return { source: 'info', label: options.infoFile === '-' ? 'stdin' : basename(options.infoFile), info: parseInfoText(await readText(options.infoFile)) };
  }
  if (url === undefined) throw new CliError('give a redis://[user:password@]host:port URL, or --info-file FILE');
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  return inspectLive({
    url,
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.sample === undefined ? {} : { sampleKeys: options.sample }),
    ...(options.observe === undefined ? {} : { observeSec: options.observe }),
    onProgress: progress,
  });
}

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));
const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

function historyRowText(row: HistoryCheck['rows'][number]): string {
  const show = (v: number | null) => (v === null ? '—' : row.field === 'rdb_last_cow_size' ? formatBytes(v) : row.field === 'latest_fork_usec' ? `${Math.round(v)} µs` : `${v} s`);
  return `  ${pad(row.field, 26)} ${pad(`forecast ${show(row.forecast)}`, 24)} reported ${show(row.reported)}`;
}

export function reportText(report: InspectReport, check: HistoryCheck | undefined, out: string | undefined): string {
  const lines: string[] = [];
  const sample = report.sample;
  lines.push(
    `${report.scenario.name ?? 'instance'}` +
      (sample ? ` — ${sample.instanceKeys} keys, ${sample.keys} read${sample.complete ? ' (all)' : ` (${((100 * sample.keys) / sample.instanceKeys).toFixed(0)}%)`}` : ''),
  );
  if (report.segments.length > 0) {
    lines.push('', 'Segments');
    lines.push(`  ${pad('name', 36)} ${pad('keys', 18)} ${pad('memory', 12)} writes/s`);
    for (const s of report.segments) {
      const keys = s.keysStdErr > 0 ? `${s.keys} ± ${Math.round(s.keysStdErr)}` : String(s.keys);
      lines.push(`  ${pad(s.name, 36)} ${pad(keys, 18)} ${pad(s.memoryBytes === null ? '—' : formatBytes(s.memoryBytes), 12)} ${num(s.writesPerSec)}`);
    }
  }
  const commands = Object.entries(report.writes.byCommand)
    .sort((a, b) => b[1] - a[1])
    .map(([name, rate]) => `${name.toUpperCase()} ${num(rate)}/s`);
  lines.push(
    '',
    `Writes: ${num(report.writes.perSec)}/s ${report.writes.lifetimeAverage ? `(average over ${Math.round(report.writes.windowSec)} s of uptime)` : `over ${report.writes.windowSec} s`}${commands.length > 0 ? `: ${commands.join(', ')}` : ''}`,
  );
  const m = report.memory;
  lines.push(
    `Memory: used_memory ${m.usedMemoryBytes === null ? '—' : formatBytes(m.usedMemoryBytes)}, dataset ${m.datasetBytes === null ? '—' : formatBytes(m.datasetBytes)}` +
      (m.sampledBytes === null ? '' : `, the sample's MEMORY USAGE scaled ${formatBytes(m.sampledBytes)}`),
  );
  lines.push('', 'Last save: forecast vs reported');
  if (!check) lines.push('  no save since the start: nothing to compare');
  else {
    for (const row of check.rows) lines.push(historyRowText(row));
    if (check.forecastUnavailable) lines.push(`  forecast unavailable: ${check.forecastUnavailable}`);
    for (const note of check.notes) lines.push(`  ${note}`);
  }
  const provenance = Object.values(report.scenario.provenance ?? {});
  const count = (source: string) => provenance.filter((p) => p.source === source).length;
  lines.push('', `Provenance: ${count('measured')} fields measured, ${count('derived')} derived, ${count('assumed')} assumed (scenario.provenance)`);
  lines.push('What the instance cannot show, and what to set:');
  for (const item of report.toSet) lines.push(`  - ${item}`);
  lines.push('', out ? `Scenario written to ${out}; it runs as is: forkcast simulate ${out}` : 'Pass --out FILE to write the scenario (or --format json for the whole report).');
  return `${lines.join('\n')}\n`;
}

export async function runInspect(url: string | undefined, options: InspectOptions): Promise<string> {
  let report: InspectReport;
  try {
    report = draftScenario(await readings(url, options));
  } catch (err) {
    if (err instanceof InspectError) throw new CliError(`${err.message} (${err.code})`);
    if (err instanceof LiveInspectError) throw new CliError(err.message);
    throw err;
  }
  const check = report.lastSave ? historyCheck(report.scenario, report.lastSave) : undefined;
  if (options.out !== undefined) {
    try {
      await writeFile(options.out, `${JSON.stringify(report.scenario, null, 2)}\n`);
    } catch (err) {
      throw new CliError(`cannot write ${options.out}: ${(err as Error).message}`);
    }
  }
  if (options.format === 'json') return `${JSON.stringify({ ...report, historyCheck: check ?? null }, null, 2)}\n`;
  return reportText(report, check, options.out);
}
