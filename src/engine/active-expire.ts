// How fast Redis 7.0 deletes keys whose TTL has passed while a fork child lives: the active
// expire cycle (src/expire.c activeExpireCycle) and lazy expiry on access (src/db.c
// expireIfNeeded). Each slow cycle (serverCron, hz times a second) walks the expires dict's
// buckets from a cursor in loops of 20 sampled keys (at most 400 buckets), deleting the due
// ones; it repeats the loop while more than 10% of a loop's sample was due, and stops on its
// time budget (25% of 1/hz), checked every 16 loops. A fast cycle (beforeSleep, 1 ms) runs only
// after a cycle that hit its budget: in 7.0 the stale-estimate trigger is dead code (redis#15410).
// The db is skipped while the expires dict is under 1% full, and with a child it is never
// resized, so those last keys wait for the child to exit. Mechanism and measurements:
// validation/EXPIRY.md, test/fixtures/expiry/.
//
// Mean-field: keys with a TTL sit in random buckets independently of their due time, so the
// ring of buckets is cut into segments, each holding an equal share of the keys and the stale
// (due, not yet deleted) keys that arrived since the cursor last passed it. A cycle runs loop
// by loop in expectation: the chance it is still going after a loop is multiplied by the
// chance that loop's binomial sample was more than 10% due.

import { DEFAULT_HZ } from './defaults.js';
import { dictBuckets } from './layout.js';

/** ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP (src/expire.c). */
const KEYS_PER_LOOP = 20;
/** ACTIVE_EXPIRE_CYCLE_FAST_DURATION, µs. */
const FAST_DURATION_USEC = 1000;
/** ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC: share of each 1/hz period. */
const SLOW_TIME_PERC = 25;
/** ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE, %. */
const ACCEPTABLE_STALE_PERC = 10;
/** A loop walks at most this many buckets per key it means to sample (`max_buckets = num*20`). */
const BUCKETS_PER_KEY_MAX = 20;
/** The time budget is looked at once every 16 loops (`(iteration & 0xf) == 0`). */
const LOOPS_PER_TIME_CHECK = 16;
/** DICT_HT_INITIAL_SIZE (src/dict.h): smaller dicts are never skipped by the 1% rule. */
const DICT_MIN_SLOTS = 4;
/** stat_expired_stale_perc is a running average taking 5% of each cycle's share. */
const STALE_AVERAGE_WEIGHT = 0.05;
/** Segments of the bucket ring: enough that one rarely spans more than a few loops. */
const MAX_SEGMENTS = 4096;
/** A cycle whose chance of still running falls below this is taken as ended. */
const MIN_RUNNING_WEIGHT = 1e-6;
/** Due points closer than this are one step (a microsecond is below any cycle's resolution). */
const STEP_SEC = 1e-6;
/** Steps of one cycle: a segment or a budget check each; far above what any budget allows. */
const MAX_STEPS_PER_CYCLE = 1_000_000;

/** Due times of the keys that have a TTL at the fork, in seconds after it (negative: already due). */
export type DueTimes =
  | { type: 'uniform'; fromSec: number; toSec: number }
  /** Piecewise-linear share of the keys due by tSec, nondecreasing from 0 to at most 1; equal tSec make a step. */
  | { type: 'cdf'; points: ReadonlyArray<readonly [tSec: number, share: number]> };

/** What the cycle's work costs in wall time, which its budget is counted in. */
export interface ExpireCosts {
  /** One loop (and its cycle's share of overhead) that samples a full loop of keys and deletes none, µs. */
  loopUsec: number;
  /** Each key the cycle deletes, on top of sampling it, µs. */
  expireUsec: number;
}

/**
 * Measured on redis-server 7.0.15 on a 2-vCPU KVM guest (test/fixtures/expiry/): `no-due-hz500`
 * spent 45 ms in 10 s of 500 cycles a second that each sampled one loop and deleted nothing
 * (9 µs); `backlog` deleted 500 k keys of 100 B at 2.35–2.57 µs of cycle time each (CPU time
 * 2.34–2.49 µs, the same without a child: `backlog-nofork`), less the loop's share.
 */
export const DEFAULT_EXPIRE_COSTS: ExpireCosts = { loopUsec: 9, expireUsec: 2 };

export interface ActiveExpireOptions {
  /** Keys in the expires dict at the fork. */
  keysWithTtl: number;
  due: DueTimes;
  horizonSec: number;
  /** @defaultValue 10 (CONFIG_DEFAULT_HZ) */
  hz?: number;
  /** active-expire-effort, 1–10. @defaultValue 1 */
  effort?: number;
  /**
   * Buckets of the expires dict at the fork; no resize happens while a child lives.
   * @defaultValue the power of two a dict of keysWithTtl keys grows to
   */
  expiresSlots?: number;
  /** Event-loop wake-ups a second besides serverCron's (client traffic): each may run a fast cycle. @defaultValue 0 */
  wakeupsPerSec?: number;
  /** Key reads a second, uniform over `keys`: a read of a due key deletes it. @defaultValue 0 */
  readsPerSec?: number;
  /** All keys, for the share of reads that land on keys with a TTL. @defaultValue keysWithTtl */
  keys?: number;
  /** @defaultValue DEFAULT_EXPIRE_COSTS */
  costs?: ExpireCosts;
  /** Interval of the returned points. @defaultValue 0.1 */
  stepSec?: number;
  /**
   * Also start a fast cycle when the stale estimate passes the acceptable share, as the code
   * intends (fixed by redis PR #15412, after 8.2). @defaultValue false (7.0 behaviour)
   */
  staleStartsFastCycle?: boolean;
}

export interface ExpirePoint {
  tSec: number;
  /** Keys whose due time has passed. */
  dueKeys: number;
  /** Keys deleted, by the cycle and by reads. */
  expiredKeys: number;
  lazyExpiredKeys: number;
  /** Due keys not yet deleted. */
  staleKeys: number;
  /** Keys still in the expires dict (INFO keyspace expires=). */
  expiresLeft: number;
  /** Wall time spent in expire cycles (INFO expire_cycle_cpu_milliseconds / 1000). */
  cycleSec: number;
  /** INFO expired_time_cap_reached_count. */
  timeCapCount: number;
  /** INFO expired_stale_perc: the running average of the cycles' due share, %. */
  stalePerc: number;
}

export interface ActiveExpireParams {
  keysPerLoop: number;
  slowBudgetUsec: number;
  fastBudgetUsec: number;
  acceptableStalePerc: number;
  expiresSlots: number;
  /** The cycle skips the db once fewer keys than this are left in the expires dict. */
  skipBelowKeys: number;
}

export interface ActiveExpireResult {
  params: ActiveExpireParams;
  points: ExpirePoint[];
}

/** Redis's effort scaling (activeExpireCycle's first lines). */
export function expireParams(effort: number, hz: number, expiresSlots: number): ActiveExpireParams {
  if (!Number.isInteger(effort) || effort < 1 || effort > 10) throw new RangeError(`effort must be an integer 1–10, got ${effort}`);
  if (!(hz > 0)) throw new RangeError(`hz must be positive, got ${hz}`);
  const e = effort - 1;
  const slowPerc = SLOW_TIME_PERC + 2 * e;
  return {
    keysPerLoop: KEYS_PER_LOOP + (KEYS_PER_LOOP / 4) * e,
    slowBudgetUsec: Math.max(1, Math.floor((slowPerc * 1_000_000) / hz / 100)),
    fastBudgetUsec: FAST_DURATION_USEC + (FAST_DURATION_USEC / 4) * e,
    acceptableStalePerc: ACCEPTABLE_STALE_PERC - e,
    expiresSlots,
    // `num*100/slots < 1` in integer arithmetic.
    skipBelowKeys: expiresSlots > DICT_MIN_SLOTS ? Math.ceil(expiresSlots / 100) : 0,
  };
}

/**
 * Chance a loop that sampled `sampled` keys, each due with chance `p`, repeats:
 * `expired*100/sampled > acceptable` in integer arithmetic, binomial in the sample.
 */
export function repeatChance(sampled: number, p: number, acceptablePerc: number): number {
  if (sampled <= 0) return 1;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let kMin = 0;
  while (kMin <= sampled && Math.floor((kMin * 100) / sampled) <= acceptablePerc) kMin++;
  if (kMin > sampled) return 0;
  // P(X < kMin) by the binomial terms, built up from P(X = 0).
  let term = Math.pow(1 - p, sampled);
  let below = 0;
  for (let k = 0; k < kMin; k++) {
    below += term;
    term *= ((sampled - k) / (k + 1)) * (p / (1 - p));
  }
  return Math.min(1, Math.max(0, 1 - below));
}

/** The share of keys due by t, and the read-decayed arrivals between two times. */
class DueCurve {
  private readonly t: Float64Array;
  private readonly share: Float64Array;

  constructor(due: DueTimes) {
    const points = due.type === 'uniform' ? uniformPoints(due.fromSec, due.toSec) : due.points;
    if (points.length === 0) throw new RangeError('due.points must not be empty');
    let previous: readonly [number, number] | undefined;
    for (const point of points) {
      const [t, share] = point;
      if (!Number.isFinite(t) || !(share >= 0 && share <= 1)) throw new RangeError(`due point [${t}, ${share}] out of range`);
      if (previous && (t < previous[0] || share < previous[1])) throw new RangeError('due.points must be nondecreasing in tSec and share');
      previous = point;
    }
    this.t = Float64Array.from(points, (p) => p[0]);
    this.share = Float64Array.from(points, (p) => p[1]);
  }

  /** Share of the keys due at or before t. */
  at(t: number): number {
    const n = this.t.length;
    if (t < this.t[0]!) return 0;
    if (t >= this.t[n - 1]!) return this.share[n - 1]!;
    // The last point at or before t.
    let i = 0;
    let hi = n - 1;
    while (i + 1 < hi) {
      const mid = (i + hi) >>> 1;
      if (this.t[mid]! <= t) i = mid;
      else hi = mid;
    }
    const t0 = this.t[i]!;
    const t1 = this.t[i + 1]!;
    if (t1 - t0 < STEP_SEC) return this.share[i + 1]!;
    return this.share[i]! + ((this.share[i + 1]! - this.share[i]!) * (t - t0)) / (t1 - t0);
  }

  /** ∫ from u to t of the due density × e^(−λ(t−τ)): arrivals still present at t under reads. */
  arrivals(u: number, t: number, lambda: number): number {
    if (t <= u) return 0;
    if (lambda <= 0) return this.at(t) - this.at(u);
    let sum = 0;
    const n = this.t.length;
    // Steps (equal tSec) and the mass at the first point are point arrivals.
    if (this.t[0]! > u && this.t[0]! <= t) sum += this.share[0]! * Math.exp(-lambda * (t - this.t[0]!));
    for (let i = 0; i + 1 < n; i++) {
      const a = this.t[i]!;
      const b = this.t[i + 1]!;
      const mass = this.share[i + 1]! - this.share[i]!;
      if (mass <= 0 || b <= u || a > t) continue;
      if (b - a < STEP_SEC) {
        if (a > u && a <= t) sum += mass * Math.exp(-lambda * (t - a));
        continue;
      }
      const lo = Math.max(a, u);
      const hi = Math.min(b, t);
      if (hi <= lo) continue;
      sum += ((mass / (b - a)) * (Math.exp(-lambda * (t - hi)) - Math.exp(-lambda * (t - lo)))) / lambda;
    }
    return sum;
  }
}

function uniformPoints(fromSec: number, toSec: number): Array<[number, number]> {
  if (!(toSec >= fromSec)) throw new RangeError(`due.toSec must not be before due.fromSec`);
  return [
    [fromSec, 0],
    [toSec, 1],
  ];
}

/** Expired keys over time while a child lives: the active cycle's rate, its lag, and reads. */
export function activeExpire(options: ActiveExpireOptions): ActiveExpireResult {
  const {
    keysWithTtl,
    horizonSec,
    hz = DEFAULT_HZ,
    effort = 1,
    wakeupsPerSec = 0,
    readsPerSec = 0,
    costs = DEFAULT_EXPIRE_COSTS,
    stepSec = 0.1,
    staleStartsFastCycle = false,
  } = options;
  if (!(keysWithTtl >= 0)) throw new RangeError(`keysWithTtl must be ≥ 0, got ${keysWithTtl}`);
  if (!(horizonSec >= 0) || !(stepSec > 0)) throw new RangeError('horizonSec must be ≥ 0 and stepSec > 0');
  const keys = options.keys ?? keysWithTtl;
  const slots = options.expiresSlots ?? dictBuckets(keysWithTtl);
  const params = expireParams(effort, hz, slots);
  const curve = new DueCurve(options.due);
  const lambda = keys > 0 ? readsPerSec / keys : 0;

  const segments = Math.max(1, Math.min(MAX_SEGMENTS, slots));
  const segmentBuckets = slots / segments;
  const keysPerSegment = keysWithTtl / segments;
  // Stale keys per segment as of `asOf`; the current segment's swept part is kept apart.
  const stale = new Float64Array(segments).fill(keysPerSegment * curve.at(0));
  const asOf = new Float64Array(segments);
  let cursor = 0;
  let swept = 0; // share of the cursor's segment passed this sweep
  let sweptStale = 0; // stale keys that arrived in that passed share
  let unsweptStale = stale[0]!;
  let cursorAsOf = 0;

  let now = 0;
  let totalStale = keysWithTtl * curve.at(0);
  let activeExpired = 0;
  let lazyExpired = 0;
  let cycleUsec = 0;
  let timeCaps = 0;
  let staleAverage = 0; // a fraction, as server.stat_expired_stale_perc
  let capFlag = 0; // chance the last cycle hit its budget (timelimit_exit)

  /** Arrivals and reads from `now` to t, for the totals. */
  const advanceTo = (t: number) => {
    if (t <= now) return;
    const decayed = totalStale * Math.exp(-lambda * (t - now));
    const arrived = keysWithTtl * curve.arrivals(now, t, lambda);
    lazyExpired += keysWithTtl * (curve.at(t) - curve.at(now)) - arrived + (totalStale - decayed);
    totalStale = decayed + arrived;
    now = t;
  };
  /** Brings the cursor's segment to time t. */
  const refreshCursor = (t: number) => {
    if (t <= cursorAsOf) return;
    const decay = Math.exp(-lambda * (t - cursorAsOf));
    const arrived = keysPerSegment * curve.arrivals(cursorAsOf, t, lambda);
    sweptStale = sweptStale * decay + arrived * swept;
    unsweptStale = unsweptStale * decay + arrived * (1 - swept);
    cursorAsOf = t;
  };
  const segmentStaleAt = (s: number, t: number) => stale[s]! * Math.exp(-lambda * (t - asOf[s]!)) + keysPerSegment * curve.arrivals(asOf[s]!, t, lambda);
  /** The cursor has passed its segment: on to the next, brought to time t. */
  const nextSegment = (t: number) => {
    stale[cursor] = sweptStale + unsweptStale;
    asOf[cursor] = t;
    cursor = (cursor + 1) % segments;
    unsweptStale = segmentStaleAt(cursor, t);
    sweptStale = 0;
    swept = 0;
    cursorAsOf = t;
  };

  /** One cycle at time t that runs with chance `weight`: the chance it hit its budget, and its expected µs. */
  const runCycle = (t: number, budgetUsec: number, weight: number): { capped: number; spentUsec: number } => {
    advanceTo(t);
    const present = keysWithTtl * (1 - curve.at(t)) + totalStale;
    if (present <= 0 || present < params.skipBelowKeys) {
      // Nothing sampled: the running average takes a 0.
      staleAverage -= weight * STALE_AVERAGE_WEIGHT * staleAverage;
      return { capped: 0, spentUsec: 0 };
    }
    const notDue = 1 - curve.at(t);
    const perLoop = Math.min(params.keysPerLoop, present);
    const maxBuckets = perLoop * BUCKETS_PER_KEY_MAX;
    // Under one expected key the dict is empty with the complementary chance, and an empty
    // expires dict ends the cycle at once (src/expire.c: dictSize(db->expires) == 0).
    let running = weight * Math.min(1, present);
    let loops = 0; // loops done on the path where the cycle is still running
    let elapsedUsec = 0; // on that path, for the budget
    let spentUsec = 0; // expected
    let sampledKeys = 0;
    let expiredKeys = 0;
    let capped = 0;
    refreshCursor(t);
    for (let guard = 0; running > MIN_RUNNING_WEIGHT && guard < MAX_STEPS_PER_CYCLE; guard++) {
      const unswept = 1 - swept;
      if (unswept <= 1e-12) {
        nextSegment(t);
        continue;
      }
      // Each loop first checks the 1% rule on the whole expires dict.
      const left = keysWithTtl * notDue + totalStale;
      if (left < params.skipBelowKeys) break;
      const presentHere = keysPerSegment * notDue * unswept + unsweptStale;
      const density = presentHere / (segmentBuckets * unswept); // keys per bucket
      const bucketsPerLoop = density > 0 ? Math.min(maxBuckets, perLoop / density) : maxBuckets;
      const sampled = Math.min(perLoop, bucketsPerLoop * density);
      const p = presentHere > 0 ? unsweptStale / presentHere : 0;
      // A loop that found no key repeats (`sampled == 0`); keys in the walked buckets are Poisson.
      const empty = Math.exp(-bucketsPerLoop * density);
      const repeat = empty + (1 - empty) * repeatChance(Math.max(1, Math.round(sampled)), p, params.acceptableStalePerc);
      const q = Math.min(1 - 1e-12, Math.max(1e-12, repeat));
      // Loops, on the running path, until the expected cursor reaches the segment's end (if it can).
      const toEnd = (segmentBuckets * unswept) / bucketsPerLoop;
      const canReachEnd = toEnd * (1 - q) < running;
      const loopsToEnd = canReachEnd ? Math.log(1 - (toEnd * (1 - q)) / running) / Math.log(q) : Infinity;
      const toCheck = LOOPS_PER_TIME_CHECK - (loops % LOOPS_PER_TIME_CHECK);
      const step = Math.min(toCheck, loopsToEnd);
      let expectedLoops = step === loopsToEnd ? toEnd : (running * (1 - Math.pow(q, step))) / (1 - q);
      const loopUsec = costs.loopUsec * (sampled / params.keysPerLoop) + costs.expireUsec * sampled * p;
      let share = step === loopsToEnd ? unswept : Math.min(unswept, (expectedLoops * bucketsPerLoop) / segmentBuckets);
      let removed = (unsweptStale * share) / unswept;
      // The loop that takes the dict under 1% full is the last; it started anywhere in the
      // loop's reach above the line, so half a loop's deletes on average go below it.
      const floor = params.skipBelowKeys - (sampled * p) / 2;
      const underFill = left - removed < floor;
      if (underFill) {
        const cut = Math.max(0, left - floor) / removed;
        share *= cut;
        removed *= cut;
        expectedLoops *= cut;
      }
      unsweptStale -= removed;
      swept += share;
      totalStale -= removed;
      activeExpired += removed;
      expiredKeys += removed;
      sampledKeys += expectedLoops * sampled;
      spentUsec += expectedLoops * loopUsec;
      const reachedLast = running * Math.pow(q, Math.max(0, step - 1));
      running *= Math.pow(q, step);
      loops += step;
      elapsedUsec += step * loopUsec;
      if (underFill) break;
      if (step === loopsToEnd) nextSegment(t);
      if (step === toCheck && elapsedUsec > budgetUsec) {
        capped = Math.min(1, reachedLast);
        break;
      }
    }
    cycleUsec += spentUsec;
    timeCaps += capped;
    const cycleShare = sampledKeys > 0 ? expiredKeys / sampledKeys : 0;
    staleAverage += weight * STALE_AVERAGE_WEIGHT * (cycleShare - staleAverage);
    return { capped, spentUsec };
  };

  const points: ExpirePoint[] = [];
  const record = (t: number) => {
    advanceTo(t);
    const due = keysWithTtl * curve.at(t);
    points.push({
      tSec: t,
      dueKeys: due,
      expiredKeys: activeExpired + lazyExpired,
      lazyExpiredKeys: lazyExpired,
      staleKeys: totalStale,
      expiresLeft: keysWithTtl - due + totalStale,
      cycleSec: cycleUsec / 1e6,
      timeCapCount: timeCaps,
      stalePerc: staleAverage * 100,
    });
  };

  // serverCron is rescheduled 1/hz after it returns (src/ae.c processTimeEvents), so a slow
  // cycle that runs to its budget lengthens the period.
  const period = 1 / hz;
  const wakeupRate = Math.min(wakeupsPerSec, 1e6 / (2 * params.fastBudgetUsec));
  const fastChance = () => (staleStartsFastCycle && staleAverage * 100 >= params.acceptableStalePerc ? 1 : capFlag);
  let nextPoint = 0;
  for (let t = 0; t < horizonSec - 1e-12; ) {
    while (nextPoint <= t + 1e-12) {
      record(nextPoint);
      nextPoint = round9(nextPoint + stepSec);
    }
    const slow = runCycle(t, params.slowBudgetUsec, 1);
    capFlag = slow.capped;
    const cronEnd = t + slow.spentUsec / 1e6;
    // beforeSleep right after serverCron's iteration, then one per client wake-up until the next.
    const fastRuns = 1 + wakeupRate * (cronEnd - t + period);
    const runs = Math.ceil(fastRuns);
    for (let j = 0; j < runs; j++) {
      const share = Math.min(1, fastRuns - j);
      const chance = fastChance();
      if (chance * share <= MIN_RUNNING_WEIGHT) continue;
      // A wake-up that did not come leaves the flag as it was.
      capFlag = runCycle(cronEnd + (j / runs) * period, params.fastBudgetUsec, chance * share).capped + (1 - share) * capFlag;
    }
    t = cronEnd + period;
  }
  while (nextPoint <= horizonSec + 1e-12) {
    record(nextPoint);
    nextPoint = round9(nextPoint + stepSec);
  }
  return { params, points };
}

const round9 = (x: number) => Math.round(x * 1e9) / 1e9;
