// Runs a plan or a host plan inside the sandboxed processor: the planning core, its progress
// and outcome recorded in the planning store (the worker pool's own bookkeeping is for
// simulations), the result stored under its own key, only a digest returned to BullMQ.
import type { SandboxedJob } from 'bullmq';
import { EngineError } from '../engine/errors.js';
import { planHost } from '../planning/host.js';
import { plan } from '../planning/plan.js';
import { HostRequestSchema, PlanRequestSchema } from '../schemas/planning.js';
import type { ResultStore } from './result-store.js';
import { jobError } from './simulation-job.js';
import type { PlanningJobData, PlanningJobResult } from './planning-job.js';

/** At most this many progress updates per second reach Redis, as for simulations. */
const PROGRESS_UPDATES_PER_SEC = 4;

export async function processPlanning(job: SandboxedJob<PlanningJobData, PlanningJobResult>, store: ResultStore): Promise<PlanningJobResult> {
  const { id, kind } = job.data;
  const done = await store.completedSummary(id);
  if (done) return { id, summary: done };
  await store.markRunning(id, job.attemptsStarted ?? 1);
  let lastProgressAt = 0;
  const onProgress = (fraction: number) => {
    const now = Date.now();
    if (now - lastProgressAt < 1000 / PROGRESS_UPDATES_PER_SEC) return;
    lastProgressAt = now;
    store.markProgress(id, fraction).catch(() => {});
  };
  try {
    if (kind === 'plan') {
      const request = PlanRequestSchema.parse(job.data.request);
      const result = plan(request, { onProgress });
      const summary = { question: result.question, answer: result.answer, iterations: result.iterations };
      await store.completeDocument(id, result, summary);
      return { id, summary };
    }
    const request = HostRequestSchema.parse(job.data.request);
    const result = planHost(request, { onProgress });
    const summary = { peak: result.peak, stagger: { peakBytes: result.stagger.peakBytes, reductionBytes: result.stagger.reductionBytes } };
    await store.completeDocument(id, result, summary);
    return { id, summary };
  } catch (err) {
    // Planning is deterministic: a failure would fail again, so it is final.
    const code = err instanceof EngineError ? err.code : 'PLANNING_FAILED';
    const message = err instanceof Error ? err.message : String(err);
    await store.markFailed(id, { code, message }).catch(() => {});
    throw jobError(code, message);
  }
}
