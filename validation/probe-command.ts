// The command line the probes share: `npx tsx validation/<tool>.ts <run> [--out DIR]` measures
// one named run and writes it as a fixture, by default into the folder the tests read.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ProbeCommand<Spec, Run extends { summary: unknown }> {
  tool: string;
  runs: Record<string, Spec>;
  /** Where the fixtures go, relative to the repository. */
  fixtureDir: string;
  measure(name: string, spec: Spec, log: (line: string) => void, outDir: string): Promise<Run>;
  /** The fixture's text. */
  format(run: Run): string;
}

async function runProbe<Spec, Run extends { summary: unknown }>(command: ProbeCommand<Spec, Run>, argv: string[]): Promise<void> {
  const { tool, runs } = command;
  const name = argv[0];
  const spec = name ? runs[name] : undefined;
  if (!name || !spec) {
    process.stderr.write(`usage: npx tsx validation/${tool}.ts <${Object.keys(runs).join('|')}> [--out DIR]\n`);
    process.exitCode = 2;
    return;
  }
  const outFlag = argv.indexOf('--out');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const outDir = outFlag >= 0 && argv[outFlag + 1] ? argv[outFlag + 1]! : join(root, command.fixtureDir);
  const run = await command.measure(name, spec, (line) => process.stderr.write(`${tool}: ${line}\n`), outDir);
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${name}.json`);
  writeFileSync(file, command.format(run));
  process.stderr.write(`${tool}: wrote ${file}: ${JSON.stringify(run.summary)}\n`);
}

/** Runs the probe when `moduleUrl` is the script node was started with; importing it runs nothing. */
export function probeMain<Spec, Run extends { summary: unknown }>(moduleUrl: string, command: ProbeCommand<Spec, Run>): void {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== resolve(process.argv[1])) return;
  runProbe(command, process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`${command.tool}: ${err.stack ?? err.message}\n`);
    process.exitCode = 1;
  });
}
