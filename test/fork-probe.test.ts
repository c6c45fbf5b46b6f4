// fork() cost against a real redis-server: validation/fork-probe.sh runs on a KVM guest
// (test/fixtures/fork-probe-kvm*.txt), forked right after a fill, re-forked, after writes in a
// child's lifetime and after a refill.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HARDWARE_PAGING_WRITABLE_PTE_COST_RATIO } from '../src/engine/platforms.js';
import { simulate } from '../src/engine/simulate.js';
import { ScenarioSchema, type ScenarioInput } from '../src/schemas/scenario.js';

const GiB = 2 ** 30;
const fork = (input: ScenarioInput) => simulate(ScenarioSchema.parse(input)).summary;

/** validation/fork-probe.sh output: "state used_memory_rss anon_huge_bytes latest_fork_usec". */
function probeRows(file: string) {
  return readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [state, rss, huge, usec] = line.split(' ');
      return { state: state!, rssGiB: Number(rss) / GiB, hugeBytes: Number(huge), usec: Number(usec) };
    });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
// DEBUG POPULATE 5,722,554 keys of 100 bytes, as the probe does.
const probeDataset = { keys: 5_722_554, valueBytes: 100, keyBytes: 11 };

describe('fork cost against a real redis-server (validation/fork-probe.sh on a KVM guest)', () => {
  const rows = probeRows('fork-probe-kvm.txt');
  const perGiB = (state: string, size: number) =>
    median(rows.filter((r) => r.state === state && Math.abs(r.rssGiB - size) < 0.1).map((r) => (r.usec - 240) / r.rssGiB));

  it('has the hardware-paging writable/write-protected ratio the presets use, at both sizes', () => {
    for (const size of [0.52, 1.03]) {
      const ratio = perGiB('refilled', size) / perGiB('refork', size);
      expect(Math.abs(ratio / HARDWARE_PAGING_WRITABLE_PTE_COST_RATIO - 1)).toBeLessThan(0.1);
    }
    // The same pages re-forked once the refill's were write-protected: the scattered refill
    // costs a little more than the first fill, the writable entries far more.
    expect(perGiB('refilled', 1.03) / perGiB('refilled-refork', 1.03)).toBeGreaterThan(1.6);
  });

  it('predicts the 1 GiB forks of both kinds from the 0.5 GiB re-forks within 15%', () => {
    // The kvm preset's ratios with a per-GiB cost calibrated on the smaller instance's re-forks.
    const kernel = { platform: 'kvm', forkUsecPerGiB: perGiB('refork', 0.52) } as const;
    for (const [state, secondsSincePreviousFork] of [
      ['refork', 0],
      ['refilled', 'none'],
    ] as const) {
      const measured = rows.filter((r) => r.state === state && r.rssGiB > 1);
      const predicted = fork({ dataset: probeDataset, kernel, snapshot: { durationSec: 1, secondsSincePreviousFork } });
      expect(Math.abs(predicted.usedMemoryRssBytes / GiB / measured[0]!.rssGiB - 1)).toBeLessThan(0.02);
      expect(Math.abs(predicted.latestForkUsec / median(measured.map((r) => r.usec)) - 1)).toBeLessThan(0.15);
    }
  });

  it('on huge pages, forks at the 4 KiB cost once writes in the previous child split them', () => {
    const thp = probeRows('fork-probe-kvm-thp.txt');
    const before = thp.filter((r) => r.state === 'refork');
    const after = thp.filter((r) => r.state === 'after-writes-in-child');
    // 20,000 overwrites while the child lived; the forks came right after it was killed.
    const summary = fork({
      dataset: probeDataset,
      workload: { writesPerSec: 20_000 },
      kernel: { platform: 'kvm', thp: 'always', forkUsecPerGiB: perGiB('refork', 1.03) },
      redis: { disableThp: false },
      snapshot: { durationSec: 1, secondsSincePreviousFork: 1, previousSnapshotSec: 1 },
    });
    const coverage = (r: (typeof thp)[number]) => r.hugeBytes / (r.rssGiB * GiB);
    expect(coverage(before[0]!)).toBeGreaterThan(0.9);
    expect(Math.abs(summary.hugePageCoverage - coverage(after[0]!))).toBeLessThan(0.03);
    const measured = median(after.map((r) => r.usec));
    expect(measured / median(before.map((r) => r.usec))).toBeGreaterThan(5);
    expect(Math.abs(summary.latestForkUsec / measured - 1)).toBeLessThan(0.15);
  });
});
