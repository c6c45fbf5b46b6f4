// Warnings: settings that do not do what their author likely meant, and states of the run that
// deserve a look before trusting the figures. Each has a stable code (WARNING_CODES); the
// message carries this run's own figures.

import type { Scenario } from '../schemas/scenario.js';
import type { Warning } from '../schemas/result.js';
import type { ForkEvent } from './fork-event.js';
import { forkCost, type ForkCost } from './fork-cost.js';
import { formatPercent, formatSeconds } from './human-units.js';
import { EXACT_MAX_PAGES, EXACT_MAX_WRITES } from './limits.js';
import type { ResolvedRun } from './resolve.js';
import type { Timeline } from './timeline.js';

/** A run past this share of an exact-mode limit would be refused at twice the size. */
const EXACT_LIMIT_WARN_SHARE = 0.5;
/** Served and offered writes are sums of the same steps: they differ by more only when capped. */
const SUM_TOLERANCE = 1e-9;

// One formatter for the run: toLocaleString builds a new one on every call, a good part of a
// fast run's summary. Same output (en-US grouping, no fraction digits for a rounded count).
const COUNT_FORMAT = new Intl.NumberFormat('en-US');
const count = (n: number) => COUNT_FORMAT.format(Math.round(n));

function thpWarnings(scenario: Scenario, run: ResolvedRun): Warning[] {
  const out: Warning[] = [];
  if (scenario.kernel.thp === 'always' && scenario.redis.disableThp) {
    out.push({
      code: 'THP_DISABLED_BY_REDIS',
      message:
        'kernel.thp is always, but Redis opts out (redis.disableThp, disable-thp yes by default): this run is on 4 KiB pages. Set redis.disableThp false to forecast Redis on huge pages.',
      path: 'redis.disableThp',
    });
  }
  if (run.copyHugePages) {
    out.push({
      code: 'THP_COPY_2M',
      message: 'Huge pages on a kernel before 5.8 (kernel.thpCow copy-2m): the first write to a shared huge page copies all 2 MiB, 512 times the 4 KiB copy.',
      path: 'kernel.thpCow',
    });
  }
  return out;
}

function saturationWarning(timeline: Timeline, run: ResolvedRun): Warning[] {
  const { writes, writesOffered } = timeline.exit;
  if (!(writes < writesOffered * (1 - SUM_TOLERANCE))) return [];
  const T = run.durationSec;
  const stallSec = (timeline.children[0]?.faultStallMs ?? 0) / 1000;
  return [
    {
      code: 'MAIN_THREAD_SATURATED',
      message: `The main thread serves ${count(writes / T)} of ${count(writesOffered / T)} offered writes/s (${formatPercent((100 * writes) / writesOffered)}) while the child lives: copy-on-write faults take ${formatSeconds(stallSec)} of its ${formatSeconds(T)}. Clients see the rest as latency or timeouts.`,
      path: 'workload.writesPerSec',
    },
  ];
}

function stallWarning(scenario: Scenario, forks: readonly ForkCost[]): Warning[] {
  const budgetMs = scenario.workload.latencyBudgetMs;
  if (budgetMs === undefined || forks.length === 0) return [];
  const over = forks.filter((f) => f.forkUsec / 1000 > budgetMs);
  if (over.length === 0) return [];
  const worst = Math.max(...over.map((f) => f.forkUsec));
  const which = forks.length === 1 ? 'fork() pauses' : `${over.length} of ${forks.length} forks pause, the longest`;
  return [
    {
      code: 'FORK_STALL_OVER_BUDGET',
      message: `${which} ${formatSeconds(worst / 1e6)}, over the ${formatSeconds(budgetMs / 1000)} latency budget: every client waits that long.`,
      path: 'workload.latencyBudgetMs',
    },
  ];
}

function firstForkWarning(run: ResolvedRun, forks: readonly ForkCost[]): Warning[] {
  if (run.previousFork.secondsSince !== 'none' || forks.length === 0) return [];
  const refork = forkCost({ ...run, previousFork: { secondsSince: 0, childSec: 0 } });
  return [
    {
      code: 'FIRST_FORK_ALL_WRITABLE',
      message: `First fork after a restart, load or full sync: every page-table entry is writable, so fork() pauses ${formatSeconds(forks[0]!.forkUsec / 1e6)}, where a fork right after a previous save would pause ${formatSeconds(refork.forkUsec / 1e6)}.`,
      path: 'snapshot.secondsSincePreviousFork',
    },
  ];
}

export function exactLimitWarning(run: ResolvedRun, event: ForkEvent): Warning[] {
  if (run.mode !== 'exact') return [];
  const writes = event.children.reduce((sum, c) => sum + run.load.peakWritesPerSec * (c.endSec - c.startSec), 0);
  // Exact mode keeps a bit per page and one per key.
  const pages = Math.max(run.layout.heapPages, run.keys);
  const parts: string[] = [];
  if (writes >= EXACT_LIMIT_WARN_SHARE * EXACT_MAX_WRITES) parts.push(`${writes.toExponential(2)} writes of at most ${EXACT_MAX_WRITES.toExponential(0)}`);
  if (pages >= EXACT_LIMIT_WARN_SHARE * EXACT_MAX_PAGES) parts.push(`${count(pages)} pages or keys of at most ${count(EXACT_MAX_PAGES)}`);
  if (parts.length === 0) return [];
  return [
    {
      code: 'EXACT_LIMITS_APPROACHED',
      message: `Exact mode walks ${parts.join(' and ')}: a scenario twice as large is refused, and this one is slow. Expected mode gives the same within 3% plus sampling noise.`,
      path: 'simulation.mode',
    },
  ];
}

export function runWarnings(scenario: Scenario, run: ResolvedRun, forks: readonly ForkCost[], event: ForkEvent, timeline: Timeline): Warning[] {
  return [
    ...thpWarnings(scenario, run),
    ...saturationWarning(timeline, run),
    ...stallWarning(scenario, forks),
    ...firstForkWarning(run, forks),
    ...exactLimitWarning(run, event),
  ];
}
