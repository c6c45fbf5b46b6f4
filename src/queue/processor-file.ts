// Which file BullMQ forks for each job, and how. The processor sits beside this module: compiled
// JavaScript when the service runs from dist/, the TypeScript source when it runs under tsx
// (`npm start`) or vitest. A .ts processor needs tsx's loader in the child; BullMQ passes the
// parent's execArgv on, which has it under `node --import tsx` or the tsx CLI but not under
// vitest, so it is added when missing. (BullMQ's worker-thread mode cannot load .ts on
// Node 20; child processes are used.)
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface ProcessorLaunch {
  /** Absolute path of the processor file. */
  file: string;
  /** Node options of the forked child, when they must differ from the parent's. */
  execArgv: string[] | undefined;
}

const PROCESSOR_BASENAME = 'simulation-processor';

function hasTsxLoader(): boolean {
  return [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => /\btsx\b/.test(arg));
}

export function processorLaunch(): ProcessorLaunch {
  const here = fileURLToPath(import.meta.url);
  const extension = extname(here) === '.ts' ? '.ts' : '.js';
  const file = join(dirname(here), `${PROCESSOR_BASENAME}${extension}`);
  if (!existsSync(file)) throw new Error(`processor file missing: ${file}`);
  if (extension !== '.ts' || hasTsxLoader()) return { file, execArgv: undefined };
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  // Debugger flags would make the child fight the parent for the inspector port.
  const inherited = process.execArgv.filter((arg) => !arg.startsWith('--inspect'));
  return { file, execArgv: [...inherited, '--import', tsxLoader] };
}
