// Stretching BGSAVE to a target length with rdb-key-save-delay. Redis 7.0 calls
// debugDelay(rdb_key_save_delay) after each key it saves (src/rdb.c): usleep(d) for d > 0, and
// for d = -N a usleep(1) with probability 1/N (src/debug.c), because even the shortest sleep
// costs a timer slack and two context switches. Measured on this kind of VM: usleep(1) costs
// 100–120 µs (50 µs timer slack), and any non-zero setting adds ~2–3.5 µs per key even when
// it skips the sleep (rdb-key-save-delay -1000000). A probe save measures the per-key cost
// without delay; the delay's cost is then assumed, and corrected from a second probe with it.

export interface DelayCostModel {
  /** Per-key cost of any non-zero setting, sleep or not, µs. */
  fixedUsec: number;
  /** What usleep(d) costs beyond d, µs. */
  sleepOverheadUsec: number;
}

export const DEFAULT_DELAY_COST: DelayCostModel = { fixedUsec: 2.5, sleepOverheadUsec: 105 };

/** Expected extra time per key that a delay setting adds, µs. */
export function delayCostUsec(delay: number, model: DelayCostModel): number {
  if (!Number.isInteger(delay)) throw new RangeError(`delay must be an integer, got ${delay}`);
  if (delay > 0) return model.fixedUsec + delay + model.sleepOverheadUsec;
  if (delay < 0) return model.fixedUsec + (1 + model.sleepOverheadUsec) / -delay;
  return 0;
}

/** The delay whose expected cost is closest to `extraUsecPerKey` (0 when none comes closer than no delay). */
export function chooseDelay(extraUsecPerKey: number, model: DelayCostModel): number {
  if (!(extraUsecPerKey > 0)) return 0;
  const candidates = [0];
  const sleep = extraUsecPerKey - model.fixedUsec - model.sleepOverheadUsec;
  if (sleep >= 1) candidates.push(Math.floor(sleep), Math.ceil(sleep));
  else candidates.push(1);
  // Cost falls as 1/N: the best N is next to (1 + overhead) / (extra − fixed).
  const sleepShare = extraUsecPerKey - model.fixedUsec;
  const n = sleepShare > 0 ? (1 + model.sleepOverheadUsec) / sleepShare : Infinity;
  const largest = 2 ** 31 - 1;
  for (const candidate of [Math.floor(n), Math.ceil(n)]) candidates.push(-Math.min(largest, Math.max(2, candidate)));
  const error = (delay: number) => Math.abs(delayCostUsec(delay, model) - extraUsecPerKey);
  return candidates.reduce((best, delay) => (error(delay) < error(best) ? delay : best));
}

/** The model corrected by a probe that ran with `delay` and cost `extraUsecPerKey` more than without. */
export function correctModel(model: DelayCostModel, delay: number, extraUsecPerKey: number): DelayCostModel {
  if (delay > 0) {
    // Only fixed + overhead matters for positive delays; keep their split.
    const sum = Math.max(0, extraUsecPerKey - delay);
    const share = model.fixedUsec / (model.fixedUsec + model.sleepOverheadUsec);
    return { fixedUsec: sum * share, sleepOverheadUsec: sum * (1 - share) };
  }
  if (delay < 0) return { ...model, fixedUsec: Math.max(0, extraUsecPerKey - (1 + model.sleepOverheadUsec) / -delay) };
  throw new RangeError('a probe without delay says nothing about the delay');
}

/** Per-key time the save must take to last `targetSec`. */
export function targetUsecPerKey(keys: number, targetSec: number): number {
  return (targetSec * 1e6) / keys;
}

export interface SaveProbe {
  delay: number;
  per_key_us: number;
  finished: boolean;
}

export interface DelayPlan {
  delay: number;
  model: DelayCostModel;
  predictedSec: number;
}

/**
 * Plans the delay from the probes made so far: the first without delay gives the base cost;
 * the last one with a delay corrects the cost model.
 */
export function planDelay(keys: number, targetSec: number, probes: readonly SaveProbe[], initial: DelayCostModel = DEFAULT_DELAY_COST): DelayPlan {
  const base = probes.find((p) => p.delay === 0);
  if (!base) throw new RangeError('planDelay needs a probe without delay');
  const delayed = probes.filter((p) => p.delay !== 0).at(-1);
  const model = delayed ? correctModel(initial, delayed.delay, delayed.per_key_us - base.per_key_us) : initial;
  const delay = chooseDelay(targetUsecPerKey(keys, targetSec) - base.per_key_us, model);
  return { delay, model, predictedSec: (keys * (base.per_key_us + delayCostUsec(delay, model))) / 1e6 };
}
