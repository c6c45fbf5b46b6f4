// One simulation as a self-contained HTML page: the verdict first, the scenario in plain words,
// the chart inline, warnings and advice, and the INFO-named summary in human units. Nothing on it
// loads from anywhere (no scripts, no fonts, no images by URL), so it can be saved, mailed or
// attached to a ticket as one file. Every text that came from a request is escaped.
import { humanBytes, humanCount, humanDuration, humanPercent } from './human-units.js';
import { peakText, presentationOf, type PictureSummary, type VerdictLevel } from './presentation.js';
import { scenarioSentences } from './scenario-words.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export interface ReportLinks {
  json: string;
  csv: string;
  svg: string;
  png: string;
  record: string;
}

export interface ReportInput {
  id: string;
  summary: PictureSummary;
  /** The chart, as rendered SVG markup. */
  chartSvg: string;
  links: ReportLinks;
}

/** The Content-Security-Policy the page needs: its own inline styles and nothing else. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const LEVEL_WORDS: Record<VerdictLevel, string> = { ok: 'survives', tight: 'tight', oom: 'out of memory' };

function levelOf(summary: PictureSummary, verdict: VerdictLevel | null | undefined): VerdictLevel | 'unknown' {
  if (verdict === null) return 'unknown';
  if (verdict !== undefined) return verdict;
  if (summary.oom.atRisk === null) return 'unknown';
  return summary.oom.atRisk ? 'oom' : 'ok';
}

type Row = [info: string, meaning: string, value: string];

function summaryRows(s: PictureSummary): Row[] {
  const rows: Row[] = [
    ['used_memory', 'dataset before the fork', humanBytes(s.usedMemoryBytes)],
    ['used_memory_rss', 'resident before the fork', humanBytes(s.usedMemoryRssBytes)],
    ['latest_fork_usec', 'main thread blocked by fork()', humanDuration(s.latestForkUsec / 1e6)],
    ['rdb_last_bgsave_time_sec', 'child lifetime', humanDuration(s.rdbBgsaveTimeSec)],
    ['current_cow_peak', 'peak copy-on-write (child Private_Dirty)', `${humanBytes(s.cowPeakBytes)} (${humanPercent(s.cowPeakPercentOfUsedMemory)} of used_memory)`],
    ['rdb_last_cow_size', 'what INFO reports after the save', humanBytes(s.rdbLastCowSize)],
    ['—', 'peak host memory (parent RSS + child private)', humanBytes(s.peakHostMemoryBytes)],
    ['—', 'peak the limit must hold (with page tables and reserve)', `${humanBytes(s.oom.peakBytes)} at ${humanDuration(s.oom.peakAtSec)}`],
    ['—', 'pages copied', `${humanCount(s.copiedPages)} × ${humanBytes(s.copyUnitBytes)}`],
    ['—', 'writes offered → served while the child lived', `${humanCount(s.writesPerSecOffered)}/s → ${humanCount(s.writesPerSecAchieved)}/s`],
    ['—', 'main-thread time in copy-on-write faults', humanDuration(s.faultStallMsTotal / 1e3)],
    ['—', 'fork rate (LATENCY DOCTOR)', `${s.forkRateGBps} GB/s (${s.forkRateGrade})`],
    ['—', 'huge pages at the fork', s.hugePagesActive ? `yes, ${humanPercent(s.hugePageCoverage * 100)} of RSS` : 'no'],
    ['total_forks', 'forks in the event', humanCount(s.forks)],
  ];
  if (s.memTotalReplicationBuffersPeakBytes > 0) rows.push(['mem_total_replication_buffers', 'peak replication buffers', humanBytes(s.memTotalReplicationBuffersPeakBytes)]);
  if (s.aofRewriteBufferPeakBytes > 0) rows.push(['aof_rewrite_buffer_length', 'peak AOF rewrite buffer (6.2)', humanBytes(s.aofRewriteBufferPeakBytes)]);
  if (s.trigger === 'full-sync') rows.push(['sync_full', `full syncs (${s.syncOutcome})`, humanCount(s.fullSyncs)]);
  rows.push(['—', `RDB file${s.rdbBytesEstimated ? ' (estimated, uncompressed)' : ''}`, humanBytes(s.rdbBytes)]);
  rows.push(['—', 'peak page cache the saves leave', humanBytes(s.pageCachePeakBytes)]);
  return rows;
}

const STYLE = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d1d1f;max-width:900px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.1rem;margin-top:1.8rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.verdict{padding:.8rem 1rem;border-radius:6px;font-size:1.15rem;font-weight:600;border-left:6px solid}
.verdict.ok{background:#e8f5e9;border-color:#2e7d32}.verdict.tight{background:#fff8e1;border-color:#f9a825}
.verdict.oom{background:#ffebee;border-color:#c62828}.verdict.unknown{background:#eceff1;border-color:#607d8b}
.level{text-transform:uppercase;font-size:.8rem;letter-spacing:.05em;display:block;font-weight:700}
.chart svg{max-width:100%;height:auto}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
td:first-child{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85rem;color:#555}
td:last-child{white-space:nowrap;text-align:right}code{font-size:.85rem}
.warnings li{margin:.3rem 0}.muted{color:#666;font-size:.9rem}nav a{margin-right:1rem}`;

export function reportHtml({ id, summary, chartSvg, links }: ReportInput): string {
  const view = presentationOf(summary);
  const level = levelOf(summary, view.verdict?.level);
  const name = summary.scenario.name ?? 'forkcast simulation';
  const verdictText = view.verdict?.text ?? peakText(summary);
  const list = (items: string[]) => `<ul>${items.map((item) => `<li>${item}</li>`).join('')}</ul>`;
  const warnings =
    view.warnings.length === 0
      ? ''
      : `<h2>Warnings</h2><ul class="warnings">${view.warnings
          .map((w) => `<li><code>${escapeHtml(w.code)}</code> ${escapeHtml(w.message)}${w.path ? ` <span class="muted">(${escapeHtml(w.path)})</span>` : ''}</li>`)
          .join('')}</ul>`;
  const advice =
    view.advice.length === 0
      ? ''
      : `<h2>What would change it</h2>${list(
          view.advice.map((a) => `${escapeHtml(a.text)}${a.verdictText ? ` <span class="muted">→ ${escapeHtml(a.verdictText)}</span>` : ''}`),
        )}`;
  const rows = summaryRows(summary)
    .map(([info, meaning, value]) => `<tr><td>${escapeHtml(info)}</td><td>${escapeHtml(meaning)}</td><td>${escapeHtml(value)}</td></tr>`)
    .join('');
  const href = (url: string) => escapeHtml(url);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(name)} — forkcast report</title>
<style>${STYLE}</style>
</head>
<body>
<p class="muted">forkcast report · <code>${escapeHtml(id)}</code></p>
<h1>${escapeHtml(name)}</h1>
<div class="verdict ${level}" id="verdict"><span class="level">${escapeHtml(level === 'unknown' ? 'no limit given' : LEVEL_WORDS[level])}</span>${escapeHtml(verdictText)}</div>
<h2>The scenario</h2>
${list(scenarioSentences(summary).map(escapeHtml))}
<h2>Memory over the fork event</h2>
<div class="chart">${chartSvg}</div>
${warnings}
${advice}
<h2>PictureSummary</h2>
<table><thead><tr><th>INFO field</th><th>what it is</th><th>forecast</th></tr></thead><tbody>${rows}</tbody></table>
<h2>Data</h2>
<nav><a href="${href(links.json)}">result (JSON)</a><a href="${href(links.csv)}">series (CSV)</a><a href="${href(links.svg)}">chart (SVG)</a><a href="${href(links.png)}">chart (PNG)</a><a href="${href(links.record)}">record</a></nav>
</body>
</html>
`;
}
