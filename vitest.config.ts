import { defineConfig } from 'vitest/config';

// .ci/run sets FORKCAST_JSON_REPORT to read the pass/fail counts back out of the run.
const jsonReportFile = process.env.FORKCAST_JSON_REPORT;

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    reporters: jsonReportFile ? ['default', ['json', { outputFile: jsonReportFile }]] : ['default'],
  },
});
