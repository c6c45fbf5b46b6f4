import { afterEach, describe, expect, it, vi } from 'vitest';
import { within } from './deadline.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('within', () => {
  it('settles like the promise when it settles in time', async () => {
    await expect(within(Promise.resolve(7), 50, () => 0)).resolves.toBe(7);
    await expect(within(Promise.reject(new Error('boom')), 50, () => 0)).rejects.toThrow('boom');
  });

  it('after ms settles like onTimeout: its value, or its throw', async () => {
    const started = Date.now();
    await expect(within(new Promise(() => {}), 30, () => 'late')).resolves.toBe('late');
    await expect(
      within(new Promise(() => {}), 30, () => {
        throw new RangeError('too slow');
      }),
    ).rejects.toThrow(RangeError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('calls onTimeout only when the promise loses, and clears its timer either way', async () => {
    vi.useFakeTimers();
    const onTimeout = vi.fn(() => 'late');
    await expect(within(Promise.resolve('early'), 1000, onTimeout)).resolves.toBe('early');
    expect(vi.getTimerCount()).toBe(0);

    let resolve!: (value: string) => void;
    const pending = within(new Promise<string>((r) => (resolve = r)), 1000, onTimeout);
    await vi.advanceTimersByTimeAsync(999);
    expect(onTimeout).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toBe('late');
    expect(onTimeout).toHaveBeenCalledTimes(1);
    resolve('too late');
    expect(vi.getTimerCount()).toBe(0);
  });
});
