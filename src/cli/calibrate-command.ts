// `forkcast calibrate FILE`: fits a platform preset to observed forks (and fault costs).
import { CalibrationResultSchema } from '../schemas/calibration.js';
import { calibrate } from '../calibration/calibrate.js';
import { renderCalibration } from '../calibration/calibration-report.js';
import { CalibrationInputError, readCalibrationInput } from './calibration-input.js';
import { CliError } from './simulate-command.js';

export interface CalibrateOptions {
  format: 'table' | 'json';
  id?: string;
  label?: string;
  forkFixedUsec?: number;
}

export function runCalibrate(path: string, options: CalibrateOptions): string {
  let input;
  try {
    input = readCalibrationInput(path, { id: options.id, label: options.label, forkFixedUsec: options.forkFixedUsec });
  } catch (err) {
    if (err instanceof CalibrationInputError) throw new CliError(err.message);
    throw err;
  }
  const result = CalibrationResultSchema.parse(calibrate(input.request));
  if (options.format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  const skipped = input.skipped.length > 0 ? `\n(skipped ${input.skipped.length} file(s) that are not measured runs)\n` : '';
  return `${renderCalibration(result)}${skipped}`;
}
