// Which commands write, and to which kind of key: the commands flagged WRITE in Redis 7.0.15's
// command table (`src/commands/*.json`, "command_flags"), by their "group". Bitmaps and
// HyperLogLogs are strings, geo sets are sorted sets. Left out: commands that write only with
// a STORE option and are mostly reads (SORT, GEORADIUS, GEORADIUSBYMEMBER), the server's own
// (FLUSHALL, FLUSHDB, SWAPDB, RESTORE-ASKING) and FUNCTION's, none of which is a key write.
// INFO commandstats counts a command once per call, inside MULTI and scripts as well.
import type { SegmentType } from '../schemas/dataset.js';
import type { CommandStat } from './info-text.js';

/** A key type the scenario models, `generic` (any type: DEL, EXPIRE, RENAME, …), or a stream. */
export type WriteTarget = SegmentType | 'generic' | 'stream';

const BY_TARGET: Record<WriteTarget, string> = {
  string:
    'append decr decrby getdel getex getset incr incrby incrbyfloat mset msetnx psetex set setex setnx setrange ' +
    'bitfield bitop setbit pfadd pfdebug pfmerge',
  hash: 'hdel hincrby hincrbyfloat hmset hset hsetnx',
  set: 'sadd sdiffstore sinterstore smove spop srem sunionstore',
  zset:
    'bzmpop bzpopmax bzpopmin zadd zdiffstore zincrby zinterstore zmpop zpopmax zpopmin zrangestore zrem ' +
    'zremrangebylex zremrangebyrank zremrangebyscore zunionstore geoadd geosearchstore',
  list: 'blmove blmpop blpop brpop brpoplpush linsert lmove lmpop lpop lpush lpushx lrem lset ltrim rpop rpoplpush rpush rpushx',
  generic: 'copy del expire expireat migrate move persist pexpire pexpireat rename renamenx restore unlink',
  stream: 'xack xadd xautoclaim xclaim xdel xgroup|create xgroup|createconsumer xgroup|delconsumer xgroup|destroy xgroup|setid xreadgroup xsetid xtrim',
};

export const WRITE_COMMANDS: ReadonlyMap<string, WriteTarget> = new Map(
  (Object.entries(BY_TARGET) as Array<[WriteTarget, string]>).flatMap(([target, names]) => names.split(' ').map((name) => [name, target] as const)),
);

/** Commands that remove the key they name. */
export const DELETE_COMMANDS: ReadonlySet<string> = new Set(['del', 'unlink', 'getdel']);
/** String writes that keep an integer-encoded value an integer. */
export const COUNTER_COMMANDS: ReadonlySet<string> = new Set(['incr', 'incrby', 'decr', 'decrby']);

export interface WriteRates {
  /** Write commands per second, by command name as INFO spells it. */
  byCommand: Record<string, number>;
  byTarget: Record<WriteTarget, number>;
  /** Every write command but streams' (the scenario has no stream keys). */
  modelledPerSec: number;
  deletesPerSec: number;
  countersPerSec: number;
  /** Mean main-thread µs of one modelled write (commandstats usec / calls); undefined without writes. */
  usecPerWrite: number | undefined;
}

/**
 * Write rates between two commandstats readings `elapsedSec` apart; with `before` empty, the
 * lifetime averages of one reading over `elapsedSec` of uptime. A counter that went down
 * (CONFIG RESETSTAT, a restart) counts from zero.
 */
export function writeRates(before: Record<string, CommandStat>, after: Record<string, CommandStat>, elapsedSec: number): WriteRates {
  if (!(elapsedSec > 0)) throw new RangeError(`elapsedSec must be > 0, got ${elapsedSec}`);
  const byCommand: Record<string, number> = {};
  const byTarget: Record<WriteTarget, number> = { string: 0, hash: 0, set: 0, zset: 0, list: 0, generic: 0, stream: 0 };
  let deletes = 0;
  let counters = 0;
  let calls = 0;
  let usec = 0;
  for (const [name, stat] of Object.entries(after)) {
    const target = WRITE_COMMANDS.get(name);
    if (target === undefined) continue;
    const prior = before[name];
    const reset = prior !== undefined && stat.calls < prior.calls;
    const dCalls = reset || prior === undefined ? stat.calls : stat.calls - prior.calls;
    const dUsec = reset || prior === undefined ? stat.usec : stat.usec - prior.usec;
    if (dCalls <= 0) continue;
    const perSec = dCalls / elapsedSec;
    byCommand[name] = perSec;
    byTarget[target] += perSec;
    if (DELETE_COMMANDS.has(name)) deletes += perSec;
    if (COUNTER_COMMANDS.has(name)) counters += perSec;
    if (target !== 'stream') {
      calls += dCalls;
      usec += dUsec;
    }
  }
  const modelledPerSec = Object.entries(byTarget).reduce((sum, [target, rate]) => (target === 'stream' ? sum : sum + rate), 0);
  return { byCommand, byTarget, modelledPerSec, deletesPerSec: deletes, countersPerSec: counters, usecPerWrite: calls > 0 ? usec / calls : undefined };
}
