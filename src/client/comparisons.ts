// `POST /v1/comparisons` answers the comparison itself: 200 once every scenario's simulation
// has finished, 202 with where they are when the server's wait ran out. The same body POSTed
// again picks up where it was (each scenario is a content-hash simulation, run once).
import { isFinishedStatus } from '../schemas/api.js';
import { z } from '../schemas/zod.js';
import { UnexpectedResponseError } from './errors.js';
import type { HttpClient } from './http-client.js';
import { JobRecordSchema } from './jobs.js';

export const COMPARISONS_PATH = '/v1/comparisons';

/** The comparison's own status and progress, read as a job record's; the rest as sent. */
const ComparisonStateSchema = JobRecordSchema.pick({ status: true, progress: true }).loose();

export type ComparisonState = z.infer<typeof ComparisonStateSchema>;

/**
 * Seconds the server may hold each round while the client waits: short, so the progress it
 * answers moves, and within any server's MAX_WAIT_SEC but 0.
 */
const ROUND_WAIT_SEC = 1;

export async function postComparison(client: HttpClient, body: unknown, waitSec?: number, signal?: AbortSignal): Promise<{ httpStatus: number; state: ComparisonState }> {
  const answer = await client.request('POST', COMPARISONS_PATH, { body, query: { wait: waitSec }, extraTimeoutMs: (waitSec ?? 0) * 1000, signal });
  const parsed = ComparisonStateSchema.safeParse(answer.body);
  if (!parsed.success) throw new UnexpectedResponseError(`POST ${COMPARISONS_PATH} answered something that is not a comparison: ${parsed.error.issues[0]?.message}`);
  return { httpStatus: answer.status, state: parsed.data };
}

export class ComparisonTimeoutError extends Error {
  constructor(
    readonly state: ComparisonState,
    waitedSec: number,
  ) {
    super(`the comparison is still ${state.status} after ${waitedSec} s`);
    this.name = 'ComparisonTimeoutError';
  }
}

/** POSTs the body round after round until every simulation has finished or `timeoutSec` passes. */
export async function waitForComparison(
  client: HttpClient,
  body: unknown,
  { timeoutSec, onProgress }: { timeoutSec?: number; onProgress?: (state: ComparisonState) => void } = {},
): Promise<ComparisonState> {
  const deadline = timeoutSec === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutSec * 1000;
  for (;;) {
    const { state } = await postComparison(client, body, ROUND_WAIT_SEC);
    onProgress?.(state);
    if (isFinishedStatus(state.status)) return state;
    if (Date.now() + ROUND_WAIT_SEC * 1000 > deadline) throw new ComparisonTimeoutError(state, timeoutSec ?? 0);
  }
}
