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
