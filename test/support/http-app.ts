// createApp() over the in-memory service, with the default limits unless a test says otherwise.
import type { AppDeps } from '../../src/http/app.js';
import { createApp } from '../../src/http/app.js';
import type { HttpConfig } from '../../src/http/context.js';
import type { ScenarioInput } from '../../src/schemas/scenario.js';
import { InMemorySimulationService, type InMemoryServiceOptions } from './in-memory-service.js';

export const TEST_CONFIG: HttpConfig = {
  bodyLimitBytes: 1024 * 1024,
  maxWaitSec: 60,
  rateLimitPerMin: 100_000,
  maxPoints: 100_000,
  maxSweepPoints: 1000,
};

/** Small enough to simulate in a few milliseconds. */
export function smallScenario(overrides: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    dataset: { usedMemoryBytes: '64MiB', valueBytes: 100 },
    workload: { writesPerSec: 5000 },
    snapshot: { durationSec: 10 },
    ...overrides,
  };
}

export function testApp(
  options: { config?: Partial<HttpConfig>; service?: InMemoryServiceOptions } & Omit<Partial<AppDeps>, 'config' | 'service'> = {},
) {
  const { config, service: serviceOptions, ...deps } = options;
  const service = new InMemorySimulationService(serviceOptions);
  const app = createApp({ ...deps, service, config: { ...TEST_CONFIG, ...config } });
  return { app, service };
}
