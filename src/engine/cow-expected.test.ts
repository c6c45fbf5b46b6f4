import { describe, expect, it } from 'vitest';
import { ExpectedCow, expectedCowTracker } from './cow-expected.js';
import { buildLayout } from './layout.js';
import { distinctShare, distinctShareCurve, writeMix } from './write-mix.js';

const keys = 100_000;
const uniform = writeMix({ keys, distribution: { type: 'uniform' }, newKeyFraction: 0, deleteFraction: 0 });
const curve = distinctShareCurve(uniform, 1e6);

describe('expected copy-on-write tracker', () => {
  it('holds what the analytic model copies for the distinct share written, without dismiss', () => {
    const model = new ExpectedCow(buildLayout({ keys, keyBytes: 16, valueBytes: 100 }), { dismiss: false, copyHugePages: false });
    const tracker = expectedCowTracker(model, curve, false);
    tracker.advance(30_000, 0, 0, 0.5);
    const q = distinctShare(uniform, 30_000);
    expect(tracker.copiedPages()).toBe(model.persistentCopiedPages(q, false));
    expect(tracker.heldPages()).toBe(tracker.copiedPages());
    expect(tracker.faults()).toBe(model.faults(q, false));
  });

  it('copies a dismissible value only if its key was unsaved, and holds it until the save', () => {
    const model = new ExpectedCow(buildLayout({ keys, keyBytes: 16, valueBytes: 16_384 }), { dismiss: true, copyHugePages: false });
    expect(model.dismissiblePagesPerKey).toBeGreaterThan(3);
    const tracker = expectedCowTracker(model, curve, false);
    // Written while the child saved all its keys: on average half were still unsaved.
    tracker.advance(30_000, 0, 0, 1);
    const q = distinctShare(uniform, 30_000);
    const persistent = model.persistentCopiedPages(q, false);
    expect(tracker.heldPages()).toBe(persistent);
    expect(tracker.copiedPages() - persistent).toBeCloseTo(model.dismissiblePagesPerKey * keys * q * 0.5, 6);
  });

  it('counts bucket-array copies for inserts and deletes', () => {
    const model = new ExpectedCow(buildLayout({ keys, keyBytes: 16, valueBytes: 100 }), { dismiss: false, copyHugePages: false });
    const tracker = expectedCowTracker(model, curve, false);
    tracker.advance(0, 5000, 0, 0.1);
    expect(tracker.copiedPages()).toBe(model.dictCopiedPages(5000));
    expect(tracker.faults()).toBe(model.dictCopiedPages(5000));
    // A copy of a 2 MiB page is one fault for 512 pages.
    const huge = new ExpectedCow(buildLayout({ keys, keyBytes: 16, valueBytes: 100, hugePages: true }), { dismiss: false, copyHugePages: true });
    expect(huge.dictFaults(5000)).toBe(huge.dictCopiedPages(5000) / 512);
  });
});

describe('expected copy-on-write curve', () => {
  const cases = [
    { name: '100 B', valueBytes: 100, dismiss: false, copyHugePages: false },
    { name: '1 KiB, fragmented', valueBytes: 1024, dismiss: true, copyHugePages: false, fragmentationRatio: 1.6 },
    { name: '16 KiB, dismiss', valueBytes: 16_384, dismiss: true, copyHugePages: false },
    { name: '64 KiB, no dismiss', valueBytes: 65_536, dismiss: false, copyHugePages: false },
    { name: '100 B, 2 MiB copies', valueBytes: 100, dismiss: false, copyHugePages: true, hugePages: true },
    { name: '64 KiB, 2 MiB copies', valueBytes: 65_536, dismiss: false, copyHugePages: true, hugePages: true },
  ];
  it.each(cases)('is never steeper than at the fork ($name)', ({ valueBytes, dismiss, copyHugePages, ...layout }) => {
    const model = new ExpectedCow(buildLayout({ keys, keyBytes: 16, valueBytes, ...layout }), { dismiss, copyHugePages });
    for (const sequential of [false, true]) {
      const steepest = model.initialFaultsPerShare(sequential);
      expect(steepest).toBeGreaterThan(0);
      // Secants over the whole range of shares, down to a single key.
      for (let q = 1 / keys; q < 1; q *= 1.7) {
        const h = Math.min(q * 1e-3, 1 - q);
        const slope = (model.faults(q + h, sequential) - model.faults(q, sequential)) / h;
        expect(slope).toBeLessThanOrEqual(steepest * (1 + 1e-4));
      }
    }
  });
});
