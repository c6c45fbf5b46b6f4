// The few lines a person reads on the terminal after `forkcast simulate`: the verdict, the
// figures behind it in GiB/MiB and ms/s, the warnings and the advice. Written to stderr, so the
// JSON or CSV on stdout stays whole for the program it is piped to.
import { formatBytes, formatPercent, formatSeconds } from '../engine/human-units.js';
import type { Summary } from '../schemas/result.js';

export function humanSummary(summary: Summary, name?: string): string {
  const s = summary;
  const scenario = s.scenario;
  const thp = s.hugePagesActive ? `THP ${scenario.kernel.thpCow}` : 'THP off';
  const lines = [
    `${name ? `${name}: ` : ''}${s.trigger} of ${formatBytes(s.usedMemoryBytes)} used_memory, Redis ${scenario.redis.version}, ${scenario.kernel.platform}, ${thp}, ${scenario.simulation.mode} mode`,
    `  ${s.verdict.text}`,
    `  fork ${formatSeconds(s.latestForkUsec / 1e6)}${s.forks > 1 ? ` (first of ${s.forks})` : ''}, child ${formatSeconds(s.rdbBgsaveTimeSec)}, peak CoW ${formatBytes(s.cowPeakBytes)} (${formatPercent(s.cowPeakPercentOfUsedMemory)} of used_memory), ${Math.round(s.writesPerSecAchieved).toLocaleString('en-US')} writes/s served`,
  ];
  for (const w of s.warnings) lines.push(`  warning ${w.code}: ${w.message}`);
  s.advice.forEach((a, i) => lines.push(`  advice ${i + 1}: ${a.text}`));
  return `${lines.join('\n')}\n`;
}
