// forkcast's command line, for scripts and people: the engine in-process.
import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError, runSimulate } from './simulate-command.js';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) throw new InvalidArgumentError('expected an integer from 0 to 4294967295');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('forkcast')
    .description('Forecast copy-on-write memory and fork latency of Redis BGSAVE')
    .showHelpAfterError();
  program
    .command('simulate')
    .description('simulate a scenario file (JSON, or - for stdin) and print the result')
    .argument('<scenario>', 'scenario JSON file, or - for standard input')
    .addOption(new Option('--mode <mode>', 'simulation mode (overrides the file)').choices(['exact', 'expected']))
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'))
    .option('--seed <n>', 'random seed for exact mode (overrides the file)', integer)
    .action(async (file: string, options) => {
      process.stdout.write(await runSimulate(file, options));
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`forkcast: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

