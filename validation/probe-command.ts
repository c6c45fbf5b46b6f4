// The command line the probes share: `npx tsx validation/<tool>.ts <run> [--out DIR]` measures
// one named run and writes it as a fixture, by default into the folder the tests read. A probe
// that takes `--port N` starts its servers there rather than on free ports.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ProbeCommand<Spec, Run extends { summary: unknown }> {
  tool: string;
  runs: Record<string, Spec>;
  /** Where the fixtures go, relative to the repository. */
  fixtureDir: string;
  /** Takes `--port N`: the first loopback port of the servers it starts. */
  acceptsPort?: boolean;
  measure(name: string, spec: Spec, log: (line: string) => void, outDir: string, port: number | undefined): Promise<Run>;
  /** The fixture's text. */
  format(run: Run): string;
}

async function runProbe<Spec, Run extends { summary: unknown }>(command: ProbeCommand<Spec, Run>, argv: string[]): Promise<void> {
  const { tool, runs } = command;
  const name = argv[0];
  const spec = name ? runs[name] : undefined;
  const portFlag = argv.indexOf('--port');
  const port = command.acceptsPort && portFlag >= 0 ? Number(argv[portFlag + 1]) : undefined;
  if (!name || !spec || (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))) {
    process.stderr.write(`usage: npx tsx validation/${tool}.ts <${Object.keys(runs).join('|')}> [--out DIR]${command.acceptsPort ? ' [--port N]' : ''}\n`);
    process.exitCode = 2;
    return;
  }
  const outFlag = argv.indexOf('--out');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const outDir = outFlag >= 0 && argv[outFlag + 1] ? argv[outFlag + 1]! : join(root, command.fixtureDir);
  const run = await command.measure(name, spec, (line) => process.stderr.write(`${tool}: ${line}\n`), outDir, port);
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
