// What a validation run needs from the host, checked before anything is started or changed:
// Linux with /proc/<pid>/smaps_rollup, redis-server ≥ 7.0 on PATH (DEBUG POPULATE and
// enable-debug-command), root for scenarios that set the THP switch, the right to read a
// child process's smaps, and free ports when one is requested (a full sync's replicas take the
// ports after the master's).
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { isPortFree } from './free-port.js';
import { redisServerVersion } from './environment.js';
import type { ValidationScenario } from '../measured-run/validation-scenario.js';
import { THP_ENABLED_PATH } from './thp.js';

export interface HostCheck {
  platform: NodeJS.Platform;
  /** /proc/self/smaps_rollup exists (Linux ≥ 4.14). */
  smapsRollup: boolean;
  /** `redis-server --version` output, undefined when it is not on PATH. */
  redisVersion: string | undefined;
  isRoot: boolean;
  /** The THP switch exists, and is writable by us. */
  thpSwitch: 'writable' | 'read-only' | 'missing';
  /** smaps_rollup of a process we started could be read (undefined: not checked). */
  childSmapsReadable: boolean | undefined;
  /** The requested ports are free (undefined: none requested). */
  portFree: boolean | undefined;
  /** The first of them in use, when one is. */
  busyPort?: number | undefined;
}

export interface CheckOptions {
  port?: number | undefined;
  /** Ports needed from `port` on: the master and its replicas. @defaultValue 1 */
  portCount?: number | undefined;
  executable?: string | undefined;
}

export function redisMajorMinor(version: string): [number, number] | undefined {
  const match = /v=(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** What the checks read of a scenario: its name, and whether it sets the THP switch. */
export type ScenarioNeeds = Pick<ValidationScenario, 'name'> & { thp?: ValidationScenario['thp'] };

/** Problems that stop the run, each a sentence that says what to do. */
export function preconditionProblems(scenarios: readonly ScenarioNeeds[], host: HostCheck, options: CheckOptions = {}): string[] {
  const problems: string[] = [];
  if (host.platform !== 'linux') {
    problems.push(`forkcast validate needs Linux: it reads the BGSAVE child's /proc/<pid>/smaps_rollup (this host is ${host.platform})`);
    return problems;
  }
  if (!host.smapsRollup) problems.push('/proc/self/smaps_rollup is missing: forkcast validate needs /proc mounted and Linux ≥ 4.14');
  const executable = options.executable ?? 'redis-server';
  if (host.redisVersion === undefined) {
    const where = executable.includes('/') ? 'cannot be run' : 'is not on PATH';
    problems.push(`${executable} ${where}: install Redis 7.0 or later (e.g. apt-get install redis-server)`);
  } else {
    const version = redisMajorMinor(host.redisVersion);
    if (version && version[0] < 7) {
      problems.push(`${executable} is ${host.redisVersion.split(' ').slice(0, 3).join(' ')}; forkcast validate needs Redis ≥ 7.0 (enable-debug-command, DEBUG POPULATE, INFO current_cow_size)`);
    }
  }
  const thpScenarios = scenarios.filter((s) => s.thp === 'always').map((s) => s.name);
  if (thpScenarios.length > 0) {
    if (host.thpSwitch === 'missing') {
      problems.push(`${THP_ENABLED_PATH} does not exist, so scenario(s) ${thpScenarios.join(', ')} cannot run: leave them out with --skip-thp or --only`);
    } else if (!host.isRoot || host.thpSwitch !== 'writable') {
      problems.push(
        `scenario(s) ${thpScenarios.join(', ')} set ${THP_ENABLED_PATH} to always for their run, which needs root: run as root, or leave them out with --skip-thp or --only`,
      );
    }
  }
  if (host.childSmapsReadable === false) {
    problems.push("cannot read /proc/<pid>/smaps_rollup of a child process (hidepid or a security module?): run as root");
  }
  if (host.portFree === false) problems.push(`port ${host.busyPort ?? options.port} is in use on 127.0.0.1: pick another with --port, or leave --port out to use a free one`);
  return problems;
}

function thpSwitchState(): HostCheck['thpSwitch'] {
  if (!existsSync(THP_ENABLED_PATH)) return 'missing';
  try {
    accessSync(THP_ENABLED_PATH, constants.W_OK);
    return 'writable';
  } catch {
    return 'read-only';
  }
}

/** Starts `sleep`, reads its smaps_rollup, and kills exactly that process. */
async function canReadChildSmaps(): Promise<boolean> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return readFileSync(`/proc/${child.pid}/smaps_rollup`, 'utf8').includes('Private_Dirty');
  } catch {
    return false;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

export async function checkHost(options: CheckOptions = {}): Promise<HostCheck> {
  const linux = process.platform === 'linux';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return {
    platform: process.platform,
    smapsRollup: linux && existsSync('/proc/self/smaps_rollup'),
    redisVersion: redisServerVersion(options.executable),
    isRoot,
    thpSwitch: linux ? thpSwitchState() : 'missing',
    childSmapsReadable: linux && !isRoot ? await canReadChildSmaps() : undefined,
    ...(await portsFree(options)),
  };
}

async function portsFree({ port, portCount = 1 }: CheckOptions): Promise<Pick<HostCheck, 'portFree' | 'busyPort'>> {
  if (port === undefined) return { portFree: undefined };
  for (let p = port; p < port + portCount; p++) if (!(await isPortFree(p))) return { portFree: false, busyPort: p };
  return { portFree: true };
}
