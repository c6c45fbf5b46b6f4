import { describe, expect, it } from 'vitest';
import { CleanupStack } from './cleanup.js';

describe('CleanupStack', () => {
  it('undoes newest first, once, and keeps going past a failure', async () => {
    const stack = new CleanupStack();
    const order: string[] = [];
    stack.add('thp', async () => void order.push('thp'), () => order.push('thp sync'));
    stack.add('server', async () => {
      order.push('server');
      throw new Error('SHUTDOWN refused');
    }, () => order.push('server sync'));
    stack.add('dir', async () => void order.push('dir'), () => order.push('dir sync'));
    expect(await stack.runAll()).toEqual(['server: SHUTDOWN refused']);
    // A failed orderly undo falls back to the synchronous one.
    expect(order).toEqual(['dir', 'server', 'server sync', 'thp']);
    expect(await stack.runAll()).toEqual([]);
    expect(stack.runAllSync()).toEqual([]);
    expect(order).toHaveLength(4);
  });

  it('runs what is still pending synchronously, as at process exit', () => {
    const stack = new CleanupStack();
    const order: string[] = [];
    stack.add('a', async () => undefined, () => order.push('a'));
    stack.add('b', async () => undefined, () => order.push('b'));
    expect(stack.pending).toBe(2);
    stack.runAllSync();
    expect(order).toEqual(['b', 'a']);
    expect(stack.pending).toBe(0);
  });
});
