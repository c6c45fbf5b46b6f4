// The calibration as a person reads it: the preset, then each fit with its quality and the
// residual of every observation.
import type { CalibrationResult, LineFit } from '../schemas/calibration.js';

const TITLES: Record<keyof CalibrationResult['fits'], string> = {
  fork: 'fork() µs per GiB of RSS on 4 KiB pages, write-protected entries (beyond the fixed cost; GiB weighted by writable share)',
  forkWritable: 'fork() µs per GiB of RSS on 4 KiB pages, writable entries (GiB written since the previous fork)',
  forkHuge: 'fork() µs per GiB of RSS on 2 MiB huge pages',
  cowFault: 'copy-on-write fault: parent system CPU µs per minor fault',
};

const fmt = (x: number, digits = 1) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function renderFit(title: string, fit: LineFit): string {
  const unit = fit.xUnit === 'GiB' ? 'GiB' : 'faults';
  const lines = [
    `### ${title}`,
    '',
    `n = ${fit.n}; median of ratios ${fmt(fit.medianUsecPerUnit, 2)} µs/${fit.xUnit === 'GiB' ? 'GiB' : 'fault'} (used); ` +
      `least squares ${fmt(fit.leastSquaresUsecPerUnit, 2)}; R² ${fit.r2 === null ? 'n/a' : fit.r2.toFixed(4)}; ` +
      `median |error| ${fit.medianAbsPercentError.toFixed(1)}%`,
    '',
    `| observation | ${unit} | measured µs | predicted µs | error | outlier |`,
    '|---|---|---|---|---|---|',
    ...fit.residuals.map(
      (r) =>
        `| ${r.label} | ${fit.xUnit === 'GiB' ? r.x.toFixed(3) : fmt(r.x, 0)} | ${fmt(r.measuredUsec, 0)} | ${fmt(r.predictedUsec, 0)} | ` +
        `${r.errorPercent >= 0 ? '+' : ''}${r.errorPercent.toFixed(1)}% | ${r.outlier ? 'yes' : ''} |`,
    ),
  ];
  return lines.join('\n');
}

export function renderCalibration(result: CalibrationResult): string {
  const sections = [`## Preset\n\n\`\`\`json\n${JSON.stringify(result.preset, null, 2)}\n\`\`\``];
  sections.push(
    `Use it in a scenario: \`"kernel": ${JSON.stringify(result.scenarioKernel)}\`` +
      (result.derived.length > 0 ? `\n\nNot fitted (no data), derived: ${result.derived.join('; ')}.` : ''),
  );
  for (const key of Object.keys(TITLES) as Array<keyof typeof TITLES>) {
    const fit = result.fits[key];
    if (fit) sections.push(renderFit(TITLES[key], fit));
  }
  return `${sections.join('\n\n')}\n`;
}
