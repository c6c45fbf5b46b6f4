// The measured redis-server BGSAVE runs the tests judge the engine on, shipped in
// test/fixtures/ground-truth (its README names the machine and how they were measured).
// Missing runs are an error that names the folder, never a skipped suite.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { groundTruthRun, type GroundTruthRun } from '../../src/measured-run/scenario-from-run.js';
import { MeasuredRunSchema, type MeasuredRunView } from '../../src/measured-run/schema.js';

export const GROUND_TRUTH_DIR = join(import.meta.dirname, '../fixtures/ground-truth');

/** The numbered run files, in order. */
export function groundTruthFiles(): string[] {
  const names = existsSync(GROUND_TRUTH_DIR) ? readdirSync(GROUND_TRUTH_DIR).filter((f) => /^\d+-.*\.json$/.test(f)) : [];
  if (names.length === 0) throw new Error(`no measured runs (NN-name.json) in ${GROUND_TRUTH_DIR}`);
  return names.sort().map((f) => join(GROUND_TRUTH_DIR, f));
}

const readRun = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

/** Each run with the scenarios the engine is judged on. */
export function loadGroundTruth(): GroundTruthRun[] {
  return groundTruthFiles().map((file) => groundTruthRun(readRun(file)));
}

/** Each run as read. */
export function measuredRuns(): MeasuredRunView[] {
  return groundTruthFiles().map((file) => MeasuredRunSchema.parse(readRun(file)));
}
