// /v1/scenarios/from-info: a scenario drafted from the text `redis-cli INFO all` prints, with
// the provenance of each field, as `forkcast inspect --info-file` drafts it. Pure and fast: no queue.
import { draftScenario } from '../../inspect/draft.js';
import { InspectError } from '../../inspect/errors.js';
import { parseInfoText } from '../../inspect/info-text.js';
import { InspectReportSchema } from '../../schemas/inspect.js';
import { z } from '../../schemas/zod.js';
import type { HttpConfig } from '../context.js';
import { commonProblemResponses, problemResponse, response } from '../openapi-parts.js';
import { operation, type Operation } from '../operation.js';
import { HttpProblem, unsupportedMediaType, VALIDATION_FAILED_DETAIL } from '../problem.js';

const PATH = '/v1/scenarios/from-info';

/** An INFO excerpt of a 7.0 cache: the fields the draft reads. */
export const EXAMPLE_INFO = [
  '# Server',
  'redis_version:7.0.15',
  'uptime_in_seconds:86400',
  'configured_hz:10',
  '# Memory',
  'used_memory:4294967296',
  'used_memory_rss:4724464026',
  'used_memory_startup:876448',
  'used_memory_dataset:4102455210',
  'mem_fragmentation_ratio:1.10',
  'total_system_memory:17179869184',
  '# Persistence',
  'rdb_last_bgsave_status:ok',
  'rdb_last_bgsave_time_sec:17',
  'rdb_last_cow_size:612368384',
  '# Stats',
  'latest_fork_usec:61204',
  '# Replication',
  'role:master',
  'connected_slaves:1',
  '# Commandstats',
  'cmdstat_get:calls=2592000000,usec=2851200000,usec_per_call=1.10,rejected_calls=0,failed_calls=0',
  'cmdstat_set:calls=864000000,usec=2419200000,usec_per_call=2.80,rejected_calls=0,failed_calls=0',
  'cmdstat_expire:calls=43200000,usec=64800000,usec_per_call=1.50,rejected_calls=0,failed_calls=0',
  '# Keyspace',
  'db0:keys=20000000,expires=4000000,avg_ttl=1800000',
  '',
].join('\r\n');

/** Drafts from INFO text; a text that is not INFO, or holds no keys, is a 422 naming the field. */
export function draftFromInfo(text: string) {
  try {
    return draftScenario({ source: 'info', info: parseInfoText(text) });
  } catch (err) {
    if (!(err instanceof InspectError)) throw err;
    throw new HttpProblem({ status: 422, code: err.code, detail: err.message, errors: [{ path: err.field, message: err.message }] });
  }
}

export function scenarioOperations(config: HttpConfig): Operation[] {
  const fromInfo = operation({
    method: 'post',
    path: PATH,
    operationId: 'draftScenarioFromInfo',
    summary: 'Draft a scenario from INFO',
    description:
      'Takes the raw output of `redis-cli INFO all` (text/plain) and answers a scenario drafted from it, whose `provenance` says for each field ' +
      'whether it was measured, derived or assumed. INFO shows key counts and memory but not key types, so the draft holds strings of the mean size; ' +
      '`forkcast inspect redis://…` samples a live instance for segments. The write rate is the average since the start (commandstats calls / uptime). ' +
      '`lastSave` holds what INFO reports of the last save: simulate the draft (POST /v1/simulations) to compare. ' +
      `At most ${config.bodyLimitBytes} bytes.`,
    tags: ['scenarios'],
    request: {
      body: {
        schema: z.string().min(1, 'paste the output of `redis-cli INFO all`'),
        mediaType: 'text/plain',
        description: `The output of \`redis-cli INFO all\`, at most ${config.bodyLimitBytes} bytes.`,
        example: EXAMPLE_INFO,
      },
    },
    responses: {
      200: response('The draft, its provenance and what INFO showed of writes and the last save.', { schema: InspectReportSchema, example: draftFromInfo(EXAMPLE_INFO) }, {}, { rateLimited: true }),
      413: problemResponse(
        new HttpProblem({ status: 413, code: 'BODY_TOO_LARGE', detail: `The request body exceeds the limit of ${config.bodyLimitBytes} bytes.` }),
        PATH,
      ),
      415: problemResponse(unsupportedMediaType('application/json', 'text/plain'), PATH),
      422: problemResponse(
        new HttpProblem({
          status: 422,
          code: 'INFO_UNRECOGNISED',
          detail: 'the text has neither redis_version nor used_memory: paste the output of `redis-cli INFO all`',
          errors: [{ path: 'redis_version', message: 'the text has neither redis_version nor used_memory: paste the output of `redis-cli INFO all`' }],
        }),
        PATH,
        { description: `The text is not INFO (INFO_UNRECOGNISED), shows no keys (NO_KEYS), or is empty (VALIDATION_FAILED: ${VALIDATION_FAILED_DETAIL})` },
      ),
      429: commonProblemResponses(config.rateLimitPerMin, PATH)[429]!,
    },
    handle(_context, { body }, res) {
      res.json(draftFromInfo(body));
    },
  });
  return [fromInfo];
}
