// /v1/presets: the platform presets a scenario's kernel.platform can name, and the example
// scenarios shipped in examples/, each ready to POST.
import { PLATFORM_PRESETS } from '../../engine/platforms.js';
import { PresetsSchema } from '../../schemas/http.js';
import type { HttpConfig } from '../context.js';
import { commonProblemResponses, EXAMPLE_SCENARIO, response } from '../openapi-parts.js';
import { operation, type Operation } from '../operation.js';

const PATH = '/v1/presets';

export function presetsOperations(config: HttpConfig): Operation[] {
  const getPresets = operation({
    method: 'get',
    path: PATH,
    operationId: 'getPresets',
    summary: 'Platform presets and example scenarios',
    description: 'kernel.platform takes a preset id; kernel.forkUsecPerGiB, kernel.forkWritableUsecPerGiB and kernel.cowFaultUsec override its figures.',
    tags: ['presets'],
    responses: {
      200: response(
        'Presets and examples.',
        { schema: PresetsSchema, example: { platforms: PLATFORM_PRESETS.slice(0, 1), examples: [{ id: 'cache-100b', scenario: EXAMPLE_SCENARIO }] } },
        {},
        { rateLimited: true },
      ),
      429: commonProblemResponses(config.rateLimitPerMin, PATH)[429]!,
    },
    handle({ examples }, _input, res) {
      res.json({ platforms: PLATFORM_PRESETS, examples });
    },
  });
  return [getPresets];
}
