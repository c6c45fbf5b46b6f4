import { describe, expect, it } from 'vitest';
import { ScenarioSchema, type ScenarioInput } from '../schemas/scenario.js';
import { AOF_BLOCK_ALLOCATED_BYTES } from './aof-rewrite-buffer.js';
import { eventStepSec, planForkEvent } from './fork-event.js';
import { resolveRun } from './resolve.js';
import { seriesPeak } from './step-series.js';

const plan = (input: ScenarioInput) => planForkEvent(resolveRun(ScenarioSchema.parse(input)));
const base = { dataset: { keys: 200_000, valueBytes: 1024, keyBytes: 10 }, workload: { writesPerSec: 4000 }, snapshot: { durationSec: 5 } } as const;

describe('planForkEvent', () => {
  it('plans a BGSAVE as one child over the save and nothing beside it', () => {
    const event = plan(base);
    expect(event.children).toEqual([{ startSec: 0, endSec: 5, lifeSec: 5, killed: false, writesFile: true }]);
    expect(event.endSec).toBe(5);
    expect(event.events).toEqual([
      { kind: 'fork', tSec: 0 },
      { kind: 'child-exited', tSec: 5 },
    ]);
    expect([event.replicationBuffer, event.aofParentBuffer, event.fullSync, event.aofRewrite]).toEqual([null, null, null, null]);
  });

  it('keeps no rewrite buffer on 7.0 and 12 MiB blocks plus the child’s diff on 6.2, with a final write', () => {
    const v7 = plan({ ...base, snapshot: { ...base.snapshot, trigger: 'aof-rewrite' } });
    expect(v7.aofRewrite).toEqual({ peakBytes: 0, stallMs: 0, stallAtSec: expect.any(Number) });
    expect(v7.aofParentBuffer).toBeNull();
    const v62 = plan({ ...base, snapshot: { ...base.snapshot, trigger: 'aof-rewrite' }, redis: { version: '6.2' } });
    // The child reads the diff for up to a second after the dataset, then writes it and exits.
    expect(v62.children[0]!.endSec).toBeGreaterThan(5);
    expect(v62.children[0]!.endSec).toBeLessThan(6.1);
    for (const bytes of v62.aofParentBuffer!.bytes) expect(bytes % AOF_BLOCK_ALLOCATED_BYTES).toBe(0);
    expect(seriesPeak(v62.aofParentBuffer!)).toBeGreaterThanOrEqual(AOF_BLOCK_ALLOCATED_BYTES);
    // 4000 × 1,063 B/s over ~6 s is ~25 MB of diff: the child's sds holds it, doubled at most.
    expect(seriesPeak(v62.aofChildDiff!)).toBeGreaterThan(20e6);
    expect(v62.aofRewrite!.peakBytes).toBeLessThan(2 * 27e6 + 2 * AOF_BLOCK_ALLOCATED_BYTES);
    expect(v62.aofRewrite!.stallMs).toBeGreaterThan(0);
  });

  it('plans every fork of a disconnect loop: without a save rule each child is killed at the drop', () => {
    const loop: ScenarioInput = {
      ...base,
      snapshot: { ...base.snapshot, trigger: 'full-sync' },
      redis: { saveConfigured: false },
      replication: { diskless: false, linkBytesPerSec: '1GB', outputBufferLimit: { hardBytes: '8mb', softBytes: '4mb', softSec: 10 } },
    };
    const event = plan(loop);
    expect(event.children).toHaveLength(5);
    expect(event.fullSync).toMatchObject({ fullSyncs: 5, syncOutcome: 'disconnect-loop', completedAtSec: null });
    for (const child of event.children) {
      expect(child.killed).toBe(true);
      // 8 MB of a 4.25 MB/s stream: about 1.9 s after each fork.
      expect(child.endSec - child.startSec).toBeGreaterThan(1.8);
      expect(child.endSec - child.startSec).toBeLessThan(2.1);
      expect(child.writesFile).toBe(true);
    }
    // With a save rule the children save to the end.
    const kept = plan({ ...loop, redis: { saveConfigured: true } });
    expect(kept.children[0]!.killed).toBe(false);
    expect(kept.children[0]!.endSec).toBeGreaterThanOrEqual(5);
    // A horizon is followed to its end, past five syncs.
    const long = plan({ ...loop, simulation: { horizonSec: 20 } });
    expect(long.children.length).toBeGreaterThan(5);
    expect(long.endSec).toBeLessThanOrEqual(20 + 1e-9);
  });

  it('streams a diskless sync from a fork after the delay, its child as long as the slower of save and link', () => {
    const event = plan({ ...base, snapshot: { ...base.snapshot, trigger: 'full-sync' }, replication: { linkBytesPerSec: '20MB' } });
    const child = event.children[0]!;
    expect(child.writesFile).toBe(false);
    // repl-diskless-sync-delay 5 whole seconds of unix time, checked by the 1 Hz replicationCron.
    expect(child.startSec).toBeGreaterThanOrEqual(5);
    expect(child.startSec).toBeLessThan(6.01);
    const run = resolveRun(ScenarioSchema.parse({ ...base, snapshot: { ...base.snapshot, trigger: 'full-sync' } }));
    expect(child.lifeSec).toBeCloseTo(run.rdbBytes / 20e6, 6);
  });

  it('steps the buffer models finely enough for serverCron and coarsely enough for long saves', () => {
    const run = (durationSec: number) => resolveRun(ScenarioSchema.parse({ ...base, snapshot: { durationSec } }));
    expect(eventStepSec(run(5))).toBe(0.001);
    expect(eventStepSec(run(100))).toBeCloseTo(0.005, 12);
    expect(eventStepSec(run(3600))).toBeCloseTo(0.01, 12);
  });
});
