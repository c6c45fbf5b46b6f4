import { describe, expect, it } from 'vitest';
import { ValidationScenarioSchema } from '../measured-run/validation-scenario.js';
import { preconditionProblems, type HostCheck } from './preconditions.js';

const scenarios = [
  { name: 'plain', dataset_mib: 256, value_bytes: 100, snapshot_seconds: 5 },
  { name: 'huge', dataset_mib: 256, value_bytes: 100, snapshot_seconds: 5, thp: 'always' },
].map((s) => ValidationScenarioSchema.parse(s));
const good: HostCheck = {
  platform: 'linux',
  smapsRollup: true,
  redisVersion: 'Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=ae4d7c971a948f0',
  isRoot: true,
  thpSwitch: 'writable',
  childSmapsReadable: undefined,
  portFree: undefined,
};

describe('preconditionProblems', () => {
  it('finds nothing wrong on a Linux host with redis-server 7 as root', () => {
    expect(preconditionProblems(scenarios, good)).toEqual([]);
  });

  it('says which is missing: Linux, smaps_rollup, redis-server, a recent Redis', () => {
    expect(preconditionProblems(scenarios, { ...good, platform: 'darwin' })).toEqual([expect.stringMatching(/needs Linux.*darwin/)]);
    expect(preconditionProblems(scenarios, { ...good, smapsRollup: false })).toEqual([expect.stringMatching(/smaps_rollup is missing/)]);
    expect(preconditionProblems(scenarios, { ...good, redisVersion: undefined })).toEqual([expect.stringMatching(/redis-server is not on PATH/)]);
    expect(preconditionProblems(scenarios, { ...good, redisVersion: 'Redis server v=6.2.14 sha=0' })).toEqual([
      expect.stringMatching(/needs Redis ≥ 7\.0/),
    ]);
  });

  it('checks a full sync or rewrite for none of the THP needs', () => {
    expect(preconditionProblems([{ name: 'sync' }], { ...good, isRoot: false, childSmapsReadable: true })).toEqual([]);
  });

  it('names the THP scenarios when the switch cannot be set, and how to leave them out', () => {
    const [problem] = preconditionProblems(scenarios, { ...good, isRoot: false, childSmapsReadable: true });
    expect(problem).toMatch(/huge.*needs root.*--skip-thp/);
    expect(problem).not.toMatch(/plain/);
    expect(preconditionProblems(scenarios.slice(0, 1), { ...good, isRoot: false, childSmapsReadable: true })).toEqual([]);
    expect(preconditionProblems(scenarios, { ...good, thpSwitch: 'missing' })).toEqual([expect.stringMatching(/does not exist/)]);
  });

  it('reports unreadable smaps of a child and a busy port', () => {
    expect(preconditionProblems(scenarios.slice(0, 1), { ...good, isRoot: false, childSmapsReadable: false })).toEqual([
      expect.stringMatching(/cannot read \/proc\/<pid>\/smaps_rollup of a child/),
    ]);
    expect(preconditionProblems(scenarios, { ...good, portFree: false }, { port: 6379 })).toEqual([expect.stringMatching(/port 6379 is in use/)]);
    // A replica's port after the master's.
    expect(preconditionProblems(scenarios, { ...good, portFree: false, busyPort: 6431 }, { port: 6430, portCount: 2 })).toEqual([expect.stringMatching(/port 6431 is in use/)]);
  });
});
