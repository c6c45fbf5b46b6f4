// Measurements share the host's cores with test runs: a probe waits until no vitest process is
// running (pgrep), so a test run's load does not land in its timings or its allocator's state.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { round } from '../engine/numbers.js';

function testRunGoingOn(): boolean {
  try {
    execFileSync('pgrep', ['-f', 'vitest'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Waits for a test run to end, at most `maxWaitSec`; returns the seconds waited. */
export async function waitForQuietHost(log: (line: string) => void, maxWaitSec: number): Promise<number> {
  const started = Date.now();
  let said = false;
  while (testRunGoingOn()) {
    if (!said) log('a test run is going on: waiting for it to end');
    said = true;
    if (Date.now() - started > maxWaitSec * 1000) throw new Error(`a test run still going on after ${maxWaitSec} s`);
    await sleep(2000);
  }
  return round((Date.now() - started) / 1000, 1);
}
