// Where `forkcast calibrate` gets its observations: a JSON file of observations (an array, or
// a request body with `observations`), or measured runs — a validate report or ground-truth
// file, or a directory of them — each read as one observation (observationFromRun).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { issueLines } from '../schemas/issues.js';
import { CalibrationRequestSchema, type CalibrationObservationInput, type CalibrationRequest } from '../schemas/calibration.js';
import { observationFromRun } from '../measured-run/observation-from-run.js';
import { MeasuredRunSchema } from '../measured-run/schema.js';

export class CalibrationInputError extends Error {}

export interface CalibrationInput {
  request: CalibrationRequest;
  /** Files read, and files in a directory skipped because they are not measured runs. */
  files: string[];
  skipped: string[];
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CalibrationInputError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

function parseRequest(body: unknown, source: string): CalibrationRequest {
  const parsed = CalibrationRequestSchema.safeParse(body);
  if (!parsed.success) {
    const lines = issueLines(parsed.error);
    throw new CalibrationInputError(`${source} holds no valid observations:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function readCalibrationInput(path: string, overrides: { id?: string; label?: string; forkFixedUsec?: number } = {}): CalibrationInput {
  let stats;
  try {
    stats = statSync(path);
  } catch (err) {
    throw new CalibrationInputError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const extra = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  if (stats.isDirectory()) {
    const files: string[] = [];
    const skipped: string[] = [];
    const observations: CalibrationObservationInput[] = [];
    for (const name of readdirSync(path).filter((f) => f.endsWith('.json')).sort()) {
      const file = join(path, name);
      const run = MeasuredRunSchema.safeParse(readJson(file));
      if (run.success) {
        files.push(file);
        observations.push(observationFromRun(run.data));
      } else {
        skipped.push(file);
      }
    }
    if (observations.length === 0) throw new CalibrationInputError(`${path} holds no measured runs (validate reports or ground-truth files)`);
    return { request: parseRequest({ observations, ...extra }, path), files, skipped };
  }
  const json = readJson(path);
  const run = MeasuredRunSchema.safeParse(json);
  if (run.success) return { request: parseRequest({ observations: [observationFromRun(run.data)], ...extra }, path), files: [path], skipped: [] };
  const body = Array.isArray(json) ? { observations: json } : json;
  return { request: parseRequest({ ...(body as object), ...extra }, path), files: [path], skipped: [] };
}
