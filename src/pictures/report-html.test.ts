import { describe, expect, it } from 'vitest';
import { simulate } from '../engine/simulate.js';
import type { EngineSummary, Summary } from '../schemas/result.js';
import { ScenarioSchema } from '../schemas/scenario.js';
import { humanBytes, humanDuration } from './human-units.js';
import { escapeHtml, reportHtml } from './report-html.js';
import { scenarioSentences } from './scenario-words.js';

const LINKS = { json: '/r.json', csv: '/r.csv', svg: '/c.svg', png: '/c.png', record: '/rec' };

function summaryOf(input: object): EngineSummary {
  return simulate(ScenarioSchema.parse(input)).summary;
}

const scenario = {
  dataset: { usedMemoryBytes: '24GiB', valueBytes: 1024 },
  workload: { writesPerSec: 20000, keyDistribution: { type: 'zipf', exponent: 1.1 } },
  snapshot: { durationSec: 60 },
  kernel: { thp: 'always' },
  host: { memoryBytes: '32GiB' },
};

describe('reportHtml', () => {
  it('shows a verdict, warnings and advice when the summary carries them, escaped', () => {
    const summary = {
      ...summaryOf(scenario),
      verdict: { level: 'tight', headroomBytes: 7e8, headroomPercent: 2.2, text: 'SURVIVES: peak 31.3 GiB of 32 GiB, 0.7 GiB (2.2%) headroom' },
      warnings: [{ code: 'THP_DISABLED_BY_REDIS', message: 'kernel.thp is always but <redis.disableThp> turns it off', path: 'redis.disableThp' }],
      advice: [{ code: 'THP_OFF', text: 'kernel.thp never: peak −2 GiB & more', peakBytes: 123, verdict: { level: 'ok', headroomBytes: 1, headroomPercent: 12, text: 'SURVIVES: <fine>' } }],
    } as Summary;
    const html = reportHtml({ id: 'sim-1', summary, chartSvg: '<svg></svg>', links: LINKS });
    expect(html).toContain('<div class="verdict tight" id="verdict"><span class="level">tight</span>SURVIVES: peak 31.3 GiB of 32 GiB, 0.7 GiB (2.2%) headroom</div>');
    expect(html).toContain('<code>THP_DISABLED_BY_REDIS</code> kernel.thp is always but &lt;redis.disableThp&gt; turns it off');
    expect(html).toContain('<li>kernel.thp never: peak −2 GiB &amp; more <span class="muted">→ SURVIVES: &lt;fine&gt;</span></li>');
  });

  it('shows the summary’s verdict, and the peak against the limit for a result stored without one', () => {
    const summary = summaryOf(scenario);
    const html = reportHtml({ id: 'sim-1', summary, chartSvg: '', links: LINKS });
    expect(html).toContain(`<div class="verdict ${summary.verdict.level}" id="verdict">`);
    expect(html).toContain(escapeHtml(summary.verdict.text));
    const { verdict: _verdict, ...older } = summary;
    const fallback = reportHtml({ id: 'sim-1', summary: older as EngineSummary, chartSvg: '', links: LINKS });
    expect(fallback).toContain(`peak ${humanBytes(summary.oom.peakBytes)} of 32 GiB`);
    expect(fallback).toContain(`class="verdict ${summary.oom.atRisk ? 'oom' : 'ok'}"`);
    const open = reportHtml({ id: 'sim-2', summary: summaryOf({ ...scenario, host: {} }), chartSvg: '', links: LINKS });
    expect(open).toContain('class="verdict unknown"');
    expect(open).toContain('no host limit given');
  });

  it('tells the scenario in sentences with its figures', () => {
    const summary = summaryOf(scenario);
    const sentences = scenarioSentences(summary);
    expect(sentences[0]).toBe(`Redis 7.0 runs a BGSAVE (RDB snapshot) of 24 GiB used memory: ${summary.keys.toLocaleString('en-US')} keys, values of 1 KiB under 16-byte key names.`);
    expect(sentences).toContain('Clients offer 20,000 writes per second while the child lives, Zipf-distributed over the keys (exponent 1.1).');
    expect(sentences).toContain(`The child lives ${humanDuration(60)}.`);
    expect(sentences.join(' ')).toContain('set to always, but Redis turns them off for itself (disable-thp yes)');
    expect(sentences.at(-1)).toBe(`The host is a VM with 32 GiB, of which ${humanBytes(summary.oom.reservedBytes)} is kept for everything else.`);
  });

  it('escapes the five characters that matter in HTML', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('human units', () => {
  it('binary sizes to three digits, durations from µs to minutes', () => {
    expect([100, 1536, 32 * 1024 ** 3, 31.3 * 1024 ** 3, 5e11, -7e8].map(humanBytes)).toEqual(['100 B', '1.5 KiB', '32 GiB', '31.3 GiB', '466 GiB', '−668 MiB']);
    expect([445e-6, 0.0516, 2.1, 570].map(humanDuration)).toEqual(['445 µs', '51.6 ms', '2.1 s', '9 min 30 s']);
  });
});
