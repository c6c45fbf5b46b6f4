import { describe, expect, it } from 'vitest';
import { platformPreset } from '../../src/engine/platforms.js';
import { calibrate } from '../../src/calibration/calibrate.js';
import { readCalibrationInput } from '../../src/cli/calibration-input.js';
import { GROUND_TRUTH_DIR } from '../support/ground-truth.js';

describe('calibrate on the ground-truth runs', () => {
  const fitted = calibrate(readCalibrationInput(GROUND_TRUTH_DIR).request);
  const reference = platformPreset('reference-kvm');

  it('fits the reference VM preset from its own 4 KiB BGSAVE runs', () => {
    expect(fitted.fits.fork!.n).toBe(14);
    // The preset's write-protected cost is the median over these runs, each with its writable share.
    expect(Math.abs(fitted.preset.forkUsecPerGiB / reference.forkUsecPerGiB - 1)).toBeLessThan(0.02);
    // Fork time varies 3× between identical runs: the line explains little, the median holds.
    expect(fitted.fits.fork!.medianAbsPercentError).toBeLessThan(35);
  });

  it('fits the fault cost to the preset’s 61 µs', () => {
    expect(fitted.fits.cowFault!.n).toBe(13);
    expect(Math.abs(fitted.preset.cowFaultUsec / reference.cowFaultUsec - 1)).toBeLessThan(0.05);
    expect(fitted.fits.cowFault!.r2!).toBeGreaterThan(0.9);
  });

  it('fits huge-page forks from the THP runs, within 2× of the kernel table’s ratio', () => {
    expect(fitted.fits.forkHuge!.n).toBe(3);
    expect(fitted.preset.forkUsecPerGiBHuge).toBeGreaterThan(reference.forkUsecPerGiBHuge / 2);
    expect(fitted.preset.forkUsecPerGiBHuge).toBeLessThan(reference.forkUsecPerGiBHuge * 2);
  });
});
