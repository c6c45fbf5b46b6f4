// A sweep survives the hard death of its worker: the point it was running stalls, another
// worker process picks it up, and the sweep completes with every point.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBullmqSimulationService } from '../../src/queue/bullmq-simulation-service.js';
import { sweepPlan } from '../../src/schemas/sweep-points.js';
import { simulationId } from '../../src/service/job-id.js';
import type { SimulationService } from '../../src/service/simulation-service.js';
import { deleteKeys, randomPrefix, REDIS_URL, until } from './support.js';
import { alive, childPids, killWorkers, startWorker, type WorkerProcess } from './worker-processes.js';

const TTL_SEC = 600;
const POINTS = 6;

describe('a sweep whose worker is killed', () => {
  let prefix: string;
  let service: SimulationService;
  const workers: WorkerProcess[] = [];

  beforeEach(() => {
    prefix = randomPrefix();
    service = createBullmqSimulationService({ redisUrl: REDIS_URL, prefix, resultTtlSec: TTL_SEC });
  });

  afterEach(async () => {
    await killWorkers(workers);
    await service.close();
    await deleteKeys(prefix);
  });

  it('completes with every point after SIGKILL mid-flow', async () => {
    // Exact mode over 1 GiB at 10^7 writes/s: about a second of engine time per point.
    const base = {
      dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 },
      workload: { writesPerSec: 1e7, serviceUsecPerWrite: 0.1 },
      kernel: { cowFaultUsec: 0.01 },
      snapshot: { durationSec: 2 },
      simulation: { mode: 'exact' },
    };
    const plan = sweepPlan(base, [{ path: 'simulation.seed', values: Array.from({ length: POINTS }, (_, i) => 50 + i) }], 1000);
    if (!plan.ok) throw new Error(JSON.stringify(plan.issues));
    const { record } = await service.submitSweep({ axes: plan.axes, points: plan.points });

    const first = startWorker(prefix, TTL_SEC);
    workers.push(first);
    // Killed once a point has finished and the next one is under way.
    await until(
      async () => {
        const sweep = await service.getSweep(record.id);
        return sweep && sweep.finishedPoints >= 1 && sweep.finishedPoints < POINTS - 1 ? sweep : undefined;
      },
      60_000,
      `a finished point; worker output:\n${first.output()}`,
    );
    const running = await until(
      async () => {
        for (const point of plan.points) {
          const state = await service.get(simulationId(point.scenario));
          if (state?.status === 'running' && state.progress > 0) return state;
        }
        return undefined;
      },
      30_000,
      'a running point',
      20,
    );
    const processors = childPids(first.child.pid!);
    first.child.kill('SIGKILL');
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    await until(() => (processors.some(alive) ? undefined : true), 10_000, 'the orphaned processor to exit');
    const before = await service.getSweep(record.id);
    expect(before?.status).toBe('running');
    expect(before?.finishedPoints).toBeLessThan(POINTS);

    const second = startWorker(prefix, TTL_SEC);
    workers.push(second);
    const done = await service.waitForSweep(record.id, 90_000);
    expect(done, second.output()).toMatchObject({ status: 'completed', progress: 1, finishedPoints: POINTS });
    const rows = (await service.sweepResult(record.id))!.rows;
    expect(rows.map((row) => row.values['simulation.seed'])).toEqual(plan.axes[0]!.values);
    expect(rows.every((row) => row.status === 'completed' && row.summary !== null)).toBe(true);
    const killed = rows.find((row) => row.simulationId === running.id)!;
    expect(killed.summary).toEqual((await service.get(running.id))?.summary);
    // The point that was running when its worker died came back through stall detection.
    expect(second.output()).toContain('stalled job moved back to waiting');
    expect(second.output()).toContain(running.id);
  });
});
