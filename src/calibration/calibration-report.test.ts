import { describe, expect, it } from 'vitest';
import { CalibrationRequestSchema } from '../schemas/calibration.js';
import { calibrate } from './calibrate.js';
import { renderCalibration } from './calibration-report.js';

describe('calibration report', () => {
  it('prints the preset, the scenario override and each fit with its residuals', () => {
    const result = calibrate(
      CalibrationRequestSchema.parse({
        observations: [
          { label: 'one', usedMemoryRssBytes: 2 ** 30, latestForkUsec: 50_240 },
          { label: 'two', usedMemoryRssBytes: 2 ** 31, latestForkUsec: 100_240 },
        ],
      }),
    );
    const text = renderCalibration(result);
    expect(text).toContain('"forkUsecPerGiB": 50000');
    expect(text).toContain('"kernel": {"forkUsecPerGiB":50000,');
    expect(text).toContain('| one | 1.000 | 50,240 | 50,240 | +0.0% |  |');
    expect(text).toContain('Not fitted (no data), derived:');
  });
});
