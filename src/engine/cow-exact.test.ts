import { describe, expect, it } from 'vitest';
import { exactCowTracker } from './cow-exact.js';
import type { KeyDistribution } from './key-distribution.js';
import { buildLayout } from './layout.js';
import { writeMix } from './write-mix.js';

const keys = 10_000;
const tracker = (valueBytes: number, distribution: KeyDistribution, dismiss = false, seed = 1) =>
  exactCowTracker(
    buildLayout({ keys, keyBytes: 16, valueBytes }),
    { dismiss, copyHugePages: false },
    writeMix({ keys, distribution, newKeyFraction: 0, deleteFraction: 0 }),
    seed,
  );

describe('exact copy-on-write tracker', () => {
  it('carries fractional writes over until they make a whole one', () => {
    const stepped = tracker(100, { type: 'sequential' });
    stepped.advance(0.5, 0, 0, 0);
    expect(stepped.copiedPages()).toBe(0);
    stepped.advance(0.5, 0, 0, 0);
    // Key 0's dictEntry, robj and sds pages.
    expect(stepped.copiedPages()).toBe(3);
    for (let i = 0; i < 8; i++) stepped.advance(0.25, 0, 0, 0);
    const whole = tracker(100, { type: 'sequential' });
    whole.advance(3, 0, 0, 0);
    expect(stepped.copiedPages()).toBe(whole.copiedPages());
    expect(stepped.faults()).toBe(whole.faults());
  });

  it('releases dismissed values once the child has saved their keys', () => {
    const t = tracker(16_384, { type: 'uniform' }, true);
    t.advance(2000, 0, 0, 0);
    const copied = t.copiedPages();
    expect(t.heldPages()).toBe(copied);
    t.advance(0, 0, 0, 1);
    expect(t.copiedPages()).toBe(copied);
    // Each written key keeps its head page; the whole pages of its value are released.
    expect(t.heldPages()).toBeLessThan(copied / 3);
    expect(t.heldPages()).toBeGreaterThan(0);
  });

  it('draws the same keys for the same seed', () => {
    const a = tracker(100, { type: 'zipf', exponent: 1.1 }, false, 7);
    const b = tracker(100, { type: 'zipf', exponent: 1.1 }, false, 7);
    const c = tracker(100, { type: 'zipf', exponent: 1.1 }, false, 8);
    for (const t of [a, b, c]) t.advance(5000, 100, 0, 0.5);
    expect(a.copiedPages()).toBe(b.copiedPages());
    expect(a.copiedPages()).not.toBe(c.copiedPages());
  });
});
