// Pages copied per write, encoding by encoding: the aggregate-type counterpart of
// validation/layout-probe.sh. Each repetition starts a redis-server of its own, fills keys k:0 …
// k:N-1 of one type and encoding with pipelined writes (E elements of B bytes each), forks a
// BGSAVE child that has saved at most a key or two (rdb-key-save-delay 1 s per key, src/rdb.c
// rdbSaveKeyValuePair), and reads the child's Private_Dirty (/proc/<pid>/smaps_rollup) before
// and after: a batch of reads of the same size (the server's own bookkeeping), a small batch of
// writes (W ≈ 2–5% of N, few keys written twice), then more writes up to W = N/2 (saturation).
// A page the parent writes after the fork becomes the child's private page, so the growth in
// 4 KiB pages is the copy-on-write cost (MODEL.md §1). What one write touches, per encoding, is
// in validation/ENCODINGS.md; the results go to test/fixtures/encoding-probe.json.
//
//   npx tsx validation/encoding-probe.ts --port 6450 [--cases a,b] [--reps 3] [--out FILE]
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { PAGE_BYTES, sizeClass } from '../src/engine/jemalloc.js';
import { round } from '../src/engine/numbers.js';
import { Rng } from '../src/engine/rng.js';
import { CleanupStack, guardProcess, interruptedBy } from '../src/harness/cleanup.js';
import { connectLoopback } from '../src/harness/connect.js';
import { hostFacts } from '../src/harness/environment.js';
import { abortForkChild, findForkChild } from '../src/harness/fork-child.js';
import { isPortFree } from '../src/harness/free-port.js';
import { waitForSaveEnd } from '../src/harness/probe.js';
import { readSmapsRollup } from '../src/harness/proc.js';
import { waitForQuietHost } from '../src/harness/quiet-host.js';
import { configGet, infoNumber, parseInfo } from '../src/harness/redis-info.js';
import { RedisServer } from '../src/harness/redis-server.js';
import { encodeArgs, encodeCommand, RespPipe, type EncodedArgs } from '../src/harness/resp-pipe.js';
import { readThp } from '../src/harness/thp.js';

export type WriteOp = 'hset' | 'srem-sadd' | 'zincrby' | 'lpush-rpop' | 'incr' | 'set';
export type KeyType = 'hash' | 'set' | 'zset' | 'list' | 'string';

export interface CaseSpec {
  description: string;
  type: KeyType;
  /** OBJECT ENCODING every sampled key must report. */
  encoding: string;
  keys: number;
  /** Elements per key (1 for a string). */
  elements: number;
  /** Bytes of a member, list entry, hash value or string value; 0 for integers. */
  elementBytes: number;
  /** Bytes of a hash field name. */
  fieldBytes?: number;
  write: WriteOp;
  /** Keys written in the small batch, as a share of N (more for small N, so the count stays well above the bookkeeping pages). */
  smallWriteShare: number;
}

/** Writes up to this share of N in all: about 39% of the keys are then written at least once. */
const LARGE_WRITE_SHARE = 0.5;
/** As layout-probe.sh: let the child start and the replies settle before each reading. */
const SETTLE_MS = 300;
/** rdb-key-save-delay, µs per key: the child saves one key a second (src/rdb.c). */
const SAVE_DELAY_US = 1_000_000;
/** Keys whose encoding, size and tables are checked after the fill. */
const SAMPLE_KEYS = 5;
/** Integer members of key slot j are j·stride + generation: an intset of 100 stays int16 (< 32768, src/intset.c). */
const INTSET_STRIDE = 300;
/** The same for the 600-member set, whose members need not fit int16. */
const HASHTABLE_INT_STRIDE = 1000;
/** Scores are integers below this, so ZINCRBY 1 rarely moves a member past its neighbour. */
const SCORE_RANGE = 1_000_000;
/** String counters start above OBJ_SHARED_INTEGERS (10000), so INCR updates the robj in place (src/t_string.c incrDecrCommand). */
const COUNTER_BASE = 1_000_000_000;
/** Random letters that payloads are cut from at random offsets: ~10^6 distinct values of each size. */
const POOL_CHARS = 1 << 20;
const ROBJ_BYTES = 16;
/** sizeof(dictEntry) in 7.0: key, value, next (src/dict.h). */
const DICT_ENTRY_BYTES = 24;
/** How long to wait for a test run on the shared cores to end before measuring. */
const QUIET_WAIT_SEC = 900;
/** Small batches: 2% of N, so that 1% of the written keys are written twice … */
const SMALL = 0.02;
/** … and 5% where N is a few thousand, so the batch still copies hundreds of pages against 5–22 of bookkeeping. */
const SMALL_FOR_FEW_KEYS = 0.05;

/** Bytes an sds of `length` allocates: sdsnewlen picks a 1-byte header below 32 B, 3 bytes below 256 (src/sds.c sdsReqType), plus the NUL. */
export function sdsAllocBytes(length: number): number {
  return (length < 32 ? 1 : length < 256 ? 3 : 5) + length + 1;
}

export const CASES: Record<string, CaseSpec> = {
  'hash-listpack-32': {
    description: 'hash, 16 fields of 8 B with 24-B values (field + value 32 B): one listpack per key',
    type: 'hash', encoding: 'listpack', keys: 200_000, elements: 16, fieldBytes: 8, elementBytes: 24, write: 'hset', smallWriteShare: SMALL,
  },
  'hash-listpack-60': {
    description: 'hash, 16 fields of 12 B with 48-B values (field + value 60 B): one listpack per key',
    type: 'hash', encoding: 'listpack', keys: 100_000, elements: 16, fieldBytes: 12, elementBytes: 48, write: 'hset', smallWriteShare: SMALL,
  },
  'hash-listpack-200': {
    description: 'hash, 200 fields of 8 B with 24-B values: still one listpack (~7 KiB) under 7.0\'s hash-max-listpack-entries 512',
    type: 'hash', encoding: 'listpack', keys: 16_000, elements: 200, fieldBytes: 8, elementBytes: 24, write: 'hset', smallWriteShare: SMALL,
  },
  'hash-hashtable-600': {
    description: 'hash, 600 fields (> hash-max-listpack-entries 512) of 8 B with 24-B values',
    type: 'hash', encoding: 'hashtable', keys: 2_400, elements: 600, fieldBytes: 8, elementBytes: 24, write: 'hset', smallWriteShare: SMALL_FOR_FEW_KEYS,
  },
  'hash-hashtable-value100': {
    description: 'hash, 16 fields of 8 B with 100-B values (> hash-max-listpack-value 64)',
    type: 'hash', encoding: 'hashtable', keys: 50_000, elements: 16, fieldBytes: 8, elementBytes: 100, write: 'hset', smallWriteShare: SMALL,
  },
  'set-intset': {
    description: 'set, 100 integer members (int16): one intset per key',
    type: 'set', encoding: 'intset', keys: 400_000, elements: 100, elementBytes: 0, write: 'srem-sadd', smallWriteShare: SMALL,
  },
  'set-hashtable-20': {
    description: 'set, 100 members of 20 B (not integers)',
    type: 'set', encoding: 'hashtable', keys: 20_000, elements: 100, elementBytes: 20, write: 'srem-sadd', smallWriteShare: SMALL,
  },
  'set-hashtable-int600': {
    description: 'set, 600 integer members (> set-max-intset-entries 512)',
    type: 'set', encoding: 'hashtable', keys: 4_000, elements: 600, elementBytes: 0, write: 'srem-sadd', smallWriteShare: SMALL_FOR_FEW_KEYS,
  },
  'zset-listpack': {
    description: 'sorted set, 16 members of 20 B with integer scores: one listpack per key',
    type: 'zset', encoding: 'listpack', keys: 250_000, elements: 16, elementBytes: 20, write: 'zincrby', smallWriteShare: SMALL,
  },
  'zset-skiplist': {
    description: 'sorted set, 200 members (> zset-max-listpack-entries 128) of 20 B with integer scores',
    type: 'zset', encoding: 'skiplist', keys: 6_000, elements: 200, elementBytes: 20, write: 'zincrby', smallWriteShare: SMALL_FOR_FEW_KEYS,
  },
  'list-quicklist-100': {
    description: 'list, 100 entries of 50 B: one quicklist node (listpack of ~5 KiB) per key',
    type: 'list', encoding: 'quicklist', keys: 20_000, elements: 100, elementBytes: 50, write: 'lpush-rpop', smallWriteShare: SMALL,
  },
  'list-quicklist-2000': {
    description: 'list, 2000 entries of 50 B: ~13 quicklist nodes of up to 8 KiB (list-max-listpack-size -2)',
    type: 'list', encoding: 'quicklist', keys: 2_000, elements: 2000, elementBytes: 50, write: 'lpush-rpop', smallWriteShare: SMALL_FOR_FEW_KEYS,
  },
  'string-int': {
    description: 'string counters above 10000 (int encoding, not shared), written with INCR',
    type: 'string', encoding: 'int', keys: 1_800_000, elements: 1, elementBytes: 0, write: 'incr', smallWriteShare: SMALL,
  },
  'string-embstr-40': {
    description: 'strings of 40 B (embstr, ≤ 44 B), overwritten with SET of the same size',
    type: 'string', encoding: 'embstr', keys: 1_200_000, elements: 1, elementBytes: 40, write: 'set', smallWriteShare: SMALL,
  },
  'string-raw-100': {
    description: 'strings of 100 B (raw: robj and a separate sds), overwritten with SET of the same size',
    type: 'string', encoding: 'raw', keys: 750_000, elements: 1, elementBytes: 100, write: 'set', smallWriteShare: SMALL,
  },
}; // prettier-ignore

/** Commands one write op sends: SREM+SADD and LPUSH+RPOP keep the key's size. */
export function commandsPerWrite(op: WriteOp): number {
  return op === 'srem-sadd' || op === 'lpush-rpop' ? 2 : 1;
}

/** Letters only, so no payload is ever stored as an integer (src/util.c string2ll). */
function letterPool(seed: number): string {
  const rng = new Rng(seed);
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const chars: string[] = [];
  for (let i = 0; i < POOL_CHARS; i++) chars.push(letters[rng.below(letters.length)]!);
  return chars.join('');
}

/** The elements of a case's keys and the commands that fill and write them. */
class Dataset {
  private readonly pool: string;
  /** Generation of (key, slot) after SREM+SADD replaced its member; absent = 0. */
  private readonly generations = new Map<number, number>();
  /** Field or member names of slots 0 … E-1 as every key has them before any write. */
  private readonly names: string[];
  private readonly encodedNames: EncodedArgs;

  constructor(
    readonly spec: CaseSpec,
    private readonly rng: Rng,
  ) {
    this.pool = letterPool(rng.below(2 ** 31));
    this.names = Array.from({ length: spec.elements }, (_, j) =>
      spec.type === 'hash' ? this.field(j) : spec.type === 'set' ? this.memberOf(j, 0) : this.zsetMember(j),
    );
    this.encodedNames = encodeArgs(spec.type === 'list' || spec.type === 'string' ? [] : this.names);
  }

  private payload(bytes: number): string {
    const at = this.rng.below(POOL_CHARS - bytes);
    return this.pool.slice(at, at + bytes);
  }

  private field(j: number): string {
    return `f${String(j).padStart(this.spec.fieldBytes! - 1, '0')}`;
  }

  private memberOf(j: number, generation: number): string {
    const { encoding, elementBytes } = this.spec;
    if (elementBytes === 0) return String(j * (encoding === 'intset' ? INTSET_STRIDE : HASHTABLE_INT_STRIDE) + generation);
    return `m${j}.${generation}.`.padEnd(elementBytes, 'x');
  }

  /** Moves the set member of (key, j) to its next generation, which SADD then adds. */
  private nextSetMember(key: number, j: number): string {
    const slot = key * this.spec.elements + j;
    const generation = (this.generations.get(slot) ?? 0) + 1;
    this.generations.set(slot, generation);
    return this.memberOf(j, generation);
  }

  private currentSetMember(key: number, j: number): string {
    return this.memberOf(j, this.generations.get(key * this.spec.elements + j) ?? 0);
  }

  /** The same letters for slot j in every key: member names are shared, like a schema's. */
  private zsetMember(j: number): string {
    const prefix = `z${j}:`;
    // A prime stride spreads the slots' offsets over the pool.
    const at = (j * 7919) % (POOL_CHARS - this.spec.elementBytes);
    return prefix + this.pool.slice(at, at + this.spec.elementBytes - prefix.length);
  }

  fillCommand(key: number): Buffer {
    const { type, elements, elementBytes } = this.spec;
    const k = `k:${key}`;
    const args: string[] = [];
    switch (type) {
      case 'hash':
        args.push('HSET', k);
        for (let j = 0; j < elements; j++) args.push(this.names[j]!, this.payload(elementBytes));
        return encodeCommand(args);
      case 'set':
        return encodeCommand(['SADD', k], this.encodedNames);
      case 'zset':
        args.push('ZADD', k);
        for (let j = 0; j < elements; j++) args.push(String(this.rng.below(SCORE_RANGE)), this.names[j]!);
        return encodeCommand(args);
      case 'list':
        args.push('RPUSH', k);
        for (let j = 0; j < elements; j++) args.push(this.payload(elementBytes));
        return encodeCommand(args);
      case 'string':
        return encodeCommand(['SET', k, elementBytes === 0 ? String(COUNTER_BASE + key) : this.payload(elementBytes)]);
    }
  }

  /**
   * A read of every element, for dict encodings, sent before any write: each lookup is one
   * incremental rehash step (src/dict.c dictFind), so no table is left half rehashed.
   */
  settleCommand(key: number): Buffer | undefined {
    const { type, encoding } = this.spec;
    if (encoding !== 'hashtable' && encoding !== 'skiplist') return undefined;
    const command = type === 'hash' ? 'HMGET' : type === 'set' ? 'SMISMEMBER' : 'ZMSCORE';
    return encodeCommand([command, `k:${key}`], this.encodedNames);
  }

  /** The `phase`-th command (0 or 1) of a write op on `key` at element slot `j`. */
  writeCommand(key: number, j: number, phase: number): Buffer {
    const k = `k:${key}`;
    switch (this.spec.write) {
      case 'hset':
        return encodeCommand(['HSET', k, this.names[j]!, this.payload(this.spec.elementBytes)]);
      case 'srem-sadd':
        return phase === 0 ? encodeCommand(['SREM', k, this.currentSetMember(key, j)]) : encodeCommand(['SADD', k, this.nextSetMember(key, j)]);
      case 'zincrby':
        return encodeCommand(['ZINCRBY', k, '1', this.names[j]!]);
      case 'lpush-rpop':
        return phase === 0 ? encodeCommand(['LPUSH', k, this.payload(this.spec.elementBytes)]) : encodeCommand(['RPOP', k]);
      case 'incr':
        return encodeCommand(['INCR', k]);
      case 'set':
        return encodeCommand(['SET', k, this.payload(this.spec.elementBytes)]);
    }
  }
}

export interface KeySample {
  key: string;
  encoding: string;
  /** MEMORY USAGE … SAMPLES 0 (value, key sds and dictEntry, src/object.c memoryCommand). */
  memoryUsageBytes: number;
  /** DEBUG OBJECT serializedlength: the value's RDB bytes (src/debug.c, rdbSavedObjectLen). */
  serializedBytes: number;
  /** HLEN / SCARD / ZCARD / LLEN; 1 for a string. */
  elements: number;
  /** Buckets of the value's hash table (DEBUG HTSTATS-KEY), for hashtable and skiplist. */
  tableBuckets: number | null;
  /** The value's hash table was still rehashing: its writes would add rehash steps. */
  tableRehashing: boolean | null;
  /** DEBUG OBJECT ql_nodes and ql_uncompressed_size, for a quicklist. */
  quicklistNodes: number | null;
  quicklistBytes: number | null;
}

export interface WriteBatch {
  /** Write ops from the fork (the large batch includes the small one); SREM+SADD and LPUSH+RPOP count once. */
  writes: number;
  commands: number;
  distinctKeys: number;
  /** Child Private_Dirty growth since the reading before the batch's first write, minus the read batch's growth, in 4 KiB pages. */
  copiedPages: number;
  pagesPerWrite: number;
  pagesPerCommand: number;
  pagesPerDistinctKey: number;
  seconds: number;
}

export interface Repetition {
  seed: number;
  loadavgAtStart: number[];
  fillSeconds: number;
  usedMemoryBytes: number;
  usedMemoryRssBytes: number;
  allocatorAllocatedBytes: number | null;
  allocatorResidentBytes: number | null;
  memFragmentationRatio: number | null;
  mainDictRehashing: boolean;
  samples: KeySample[];
  latestForkUsec: number | null;
  /** BGSAVE to the last reading; the child saves (and dismisses) one key a second, so at most ⌊s⌋ + 1 keys. */
  windowSeconds: number;
  /** Child Private_Dirty, bytes: after the settle wait, after the reads, after the small and the large batch. */
  childPrivateDirtyBytes: { start: number; afterReads: number; afterSmall: number; afterLarge: number };
  /** EXISTS commands sent as the read batch (as many as the small batch's commands). */
  readCommands: number;
  readBaselinePages: number;
  small: WriteBatch;
  large: WriteBatch;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface DismissRegion {
  what: string;
  /** The size dismissMemory is given (src/server.c): nothing happens at ≤ page/2. */
  bytes: number;
  /** The allocation's usable size: zmadvise_dontneed releases the whole pages inside it, none below a page (src/zmalloc.c). */
  usableBytes: number;
  released: boolean;
}

export interface DismissFacts {
  function: string;
  /** dump_size of rdbSaveDb: the key's RDB bytes (type, key, value). */
  sizeHintBytes: number;
  /** What the size hint is divided by before the page test: dictSize, zsl->length or ql->len. */
  divisor: string | null;
  divisorValue: number | null;
  /** size_hint / divisor ≥ page: elements (or nodes) are walked and each large one released. */
  walksElements: boolean;
  regions: DismissRegion[];
  note: string;
}

export interface CaseResult extends CaseSpec {
  name: string;
  commandsPerWrite: number;
  dismissObject: DismissFacts;
  runs: Repetition[];
  summary: {
    usedMemoryBytes: number;
    bytesPerKey: number;
    smallPagesPerWrite: Spread;
    smallPagesPerDistinctKey: Spread;
    largePagesPerWrite: Spread;
    largePagesPerDistinctKey: Spread;
    largeCopiedShareOfRss: Spread;
    readBaselinePages: Spread;
  };
}

export function spread(values: number[], digits = 3): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median: round(median, digits), min: round(sorted[0]!, digits), max: round(sorted.at(-1)!, digits) };
}

function privateDirtyBytes(child: number): number {
  const smaps = readSmapsRollup(child);
  if (!smaps) throw new Error(`BGSAVE child ${child} is gone: the save ended before the probe did`);
  return smaps.Private_Dirty ?? 0;
}

const pagesOf = (bytes: number) => bytes / PAGE_BYTES;

async function mainDictRehashing(redis: Redis): Promise<boolean> {
  return String(await redis.call('DEBUG', 'HTSTATS', '0')).includes('rehashing target');
}

async function sampleKey(redis: Redis, spec: CaseSpec, key: string): Promise<KeySample> {
  const encoding = String(await redis.object('ENCODING', key));
  const memoryUsageBytes = Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
  const debug = String(await redis.call('DEBUG', 'OBJECT', key));
  const field = (name: string) => {
    const match = new RegExp(`${name}:(\\d+)`).exec(debug);
    return match ? Number(match[1]) : null;
  };
  const lengthCommand = { hash: 'HLEN', set: 'SCARD', zset: 'ZCARD', list: 'LLEN', string: null }[spec.type];
  const elements = lengthCommand ? Number(await redis.call(lengthCommand, key)) : 1;
  let tableBuckets: number | null = null;
  let tableRehashing: boolean | null = null;
  if (encoding === 'hashtable' || encoding === 'skiplist') {
    const stats = String(await redis.call('DEBUG', 'HTSTATS-KEY', key));
    tableBuckets = Number(/table size: (\d+)/.exec(stats)?.[1] ?? NaN);
    tableRehashing = stats.includes('rehashing target');
  }
  return {
    key,
    encoding,
    memoryUsageBytes,
    serializedBytes: field('serializedlength') ?? 0,
    elements,
    tableBuckets,
    tableRehashing,
    quicklistNodes: field('ql_nodes'),
    quicklistBytes: field('ql_uncompressed_size'),
  };
}

/**
 * What src/object.c dismissObject (7.0.15) would do with one of these keys once the child has
 * saved it: which function, whether it walks the elements, and which single allocations it
 * hands to dismissMemory. Sizes are the sampled key's.
 */
export function dismissFacts(spec: CaseSpec, sample: KeySample): DismissFacts {
  const keyBytes = sample.key.length;
  // rdbSaveKeyValuePair: type byte, key length (1 byte below 64) and key, then the value.
  const sizeHintBytes = 1 + 1 + keyBytes + sample.serializedBytes;
  const region = (what: string, bytes: number, usableBytes = sizeClass(bytes)): DismissRegion => ({
    what,
    bytes,
    usableBytes,
    released: bytes > PAGE_BYTES / 2 && usableBytes >= PAGE_BYTES,
  });
  // MEMORY USAGE = robj + the value's allocations + the key's sds + sizeof(dictEntry) (src/object.c objectComputeSize, memoryCommand).
  const keyOverhead = ROBJ_BYTES + sizeClass(sdsAllocBytes(keyBytes)) + DICT_ENTRY_BYTES;
  const table = () => {
    const buckets = sample.tableBuckets ?? 0;
    return region('ht_table[0]', buckets * 8);
  };
  const walk = (divisor: string, value: number) => ({ divisor, divisorValue: value, walksElements: sizeHintBytes / value >= PAGE_BYTES });
  switch (spec.encoding) {
    case 'int':
    case 'embstr':
      return { function: 'dismissStringObject', sizeHintBytes, divisor: null, divisorValue: null, walksElements: false, regions: [], note: 'only a RAW string has a separate sds to release' };
    case 'raw': {
      const sds = sizeClass(sdsAllocBytes(spec.elementBytes));
      return { function: 'dismissStringObject', sizeHintBytes, divisor: null, divisorValue: null, walksElements: false, regions: [region('value sds', sds, sds)], note: 'dismissSds on the value' };
    }
    case 'listpack': {
      const usable = sample.memoryUsageBytes - keyOverhead;
      return {
        function: spec.type === 'hash' ? 'dismissHashObject' : 'dismissZsetObject',
        sizeHintBytes, divisor: null, divisorValue: null, walksElements: false,
        regions: [region('listpack', usable, usable)],
        note: 'the listpack is one allocation, handed to dismissMemory whole (bytes: its usable size, an upper bound of lpBytes)',
      }; // prettier-ignore
    }
    case 'intset': {
      const bytes = 8 + 2 * spec.elements;
      return { function: 'dismissSetObject', sizeHintBytes, divisor: null, divisorValue: null, walksElements: false, regions: [region('intset', bytes)], note: 'the intset is one allocation' };
    }
    case 'hashtable':
    case 'skiplist': {
      const fn = spec.type === 'hash' ? 'dismissHashObject' : spec.type === 'set' ? 'dismissSetObject' : 'dismissZsetObject';
      const divisor = spec.type === 'zset' ? 'zsl->length' : 'dictSize';
      const what = spec.type === 'hash' ? 'each value sds' : 'each member sds';
      return {
        function: fn,
        sizeHintBytes,
        ...walk(divisor, sample.elements),
        regions: [table()],
        note: `elements (${what}) are walked only when the mean serialized element is at least a page; the bucket array is always offered`,
      };
    }
    case 'quicklist': {
      const nodes = sample.quicklistNodes ?? 1;
      const nodeBytes = (sample.quicklistBytes ?? 0) / nodes;
      const walked = walk('ql->len', nodes);
      return {
        function: 'dismissListObject',
        sizeHintBytes,
        ...walked,
        regions: walked.walksElements ? [region('each node listpack (mean)', Math.round(nodeBytes))] : [],
        note: 'nodes are walked when the serialized bytes per node reach a page; each node listpack then goes to dismissMemory',
      };
    }
    default:
      throw new Error(`no dismissObject branch for encoding ${spec.encoding}`);
  }
}

interface Plan {
  keys: Uint32Array;
  slots: Uint32Array;
}

function writePlan(spec: CaseSpec, writes: number, rng: Rng): Plan {
  const keys = new Uint32Array(writes);
  const slots = new Uint32Array(writes);
  for (let i = 0; i < writes; i++) {
    keys[i] = rng.below(spec.keys);
    slots[i] = rng.below(spec.elements);
  }
  return { keys, slots };
}

function distinctIn(keys: Uint32Array, end: number, space: number): number {
  const seen = new Uint8Array(space);
  let distinct = 0;
  for (let i = 0; i < end; i++) {
    if (seen[keys[i]!] === 0) distinct++;
    seen[keys[i]!] = 1;
  }
  return distinct;
}

/** A redis-server of the probe's own (disable-thp yes, its own temp dir) and a control connection, undone by `cleanup`. */
async function ownServer(port: number, cleanup: CleanupStack): Promise<{ server: RedisServer; redis: Redis }> {
  const dir = mkdtempSync(join(tmpdir(), 'forkcast-encoding-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  cleanup.add(`remove ${dir}`, async () => remove(), remove);
  const server = await RedisServer.start({ port, dir, disableThp: true }, cleanup);
  const redis = connectLoopback(port);
  await redis.connect();
  cleanup.add('close the control connection', async () => redis.disconnect(), () => redis.disconnect());
  return { server, redis };
}

async function measureRepetition(spec: CaseSpec, seed: number, port: number, log: (line: string) => void): Promise<Repetition> {
  const cleanup = new CleanupStack();
  const unguard = guardProcess(cleanup);
  try {
    const { server, redis } = await ownServer(port, cleanup);
    const pipe = await RespPipe.connect(port);
    cleanup.add('close the pipe', async () => pipe.close(), () => pipe.close());

    const rng = new Rng(seed);
    const data = new Dataset(spec, rng);
    const fill = await pipe.run(spec.keys, (i) => data.fillCommand(i), 64);
    if (fill.errors > 0) throw new Error(`fill: ${fill.errors} errors, first: ${fill.firstError}`);
    let fillSeconds = fill.seconds;
    if (data.settleCommand(0)) {
      const settle = await pipe.run(spec.keys, (i) => data.settleCommand(i)!, 64);
      if (settle.errors > 0) throw new Error(`settle reads: ${settle.errors} errors, first: ${settle.firstError}`);
      fillSeconds += settle.seconds;
    }
    for (let pass = 0; pass < 5 && (await mainDictRehashing(redis)); pass++) {
      // Each EXISTS is a dictFind on the keyspace: one rehash step (src/dict.c _dictRehashStep).
      await pipe.run(Math.ceil(spec.keys / 100), (i) => encodeCommand(['EXISTS', ...Array.from({ length: 100 }, (_, j) => `k:${(i * 100 + j) % spec.keys}`)]), 64);
    }
    const rehashing = await mainDictRehashing(redis);

    const samples: KeySample[] = [];
    for (let i = 0; i < SAMPLE_KEYS; i++) samples.push(await sampleKey(redis, spec, `k:${rng.below(spec.keys)}`));
    const wrong = samples.find((s) => s.encoding !== spec.encoding);
    if (wrong) throw new Error(`${wrong.key} is ${wrong.encoding}, expected ${spec.encoding}`);

    // Hand freed dirty pages back now, so jemalloc's purge of them during the save does not show as copies.
    await redis.call('MEMORY', 'PURGE');
    const memory = parseInfo(await redis.info('memory'));

    const perWrite = commandsPerWrite(spec.write);
    const smallWrites = Math.round(spec.keys * spec.smallWriteShare);
    const largeWrites = Math.round(spec.keys * LARGE_WRITE_SHARE);
    const plan = writePlan(spec, largeWrites, rng);
    const readKeys = writePlan(spec, smallWrites * perWrite, rng).keys;
    const writeCommand = (offset: number) => (c: number) => {
      const i = offset + Math.floor(c / perWrite);
      return data.writeCommand(plan.keys[i]!, plan.slots[i]!, c % perWrite);
    };

    await redis.config('SET', 'rdb-key-save-delay', String(SAVE_DELAY_US));
    const loadavgAtStart = loadavg().map((l) => round(l, 2));
    await redis.bgsave();
    const forkedAt = performance.now();
    const child = await findForkChild(server);
    await sleep(SETTLE_MS);
    const start = privateDirtyBytes(child);
    const reads = await pipe.run(readKeys.length, (c) => encodeCommand(['EXISTS', `k:${readKeys[c]}`]));
    await sleep(SETTLE_MS);
    const afterReads = privateDirtyBytes(child);
    const small = await pipe.run(smallWrites * perWrite, writeCommand(0));
    await sleep(SETTLE_MS);
    const afterSmall = privateDirtyBytes(child);
    const large = await pipe.run((largeWrites - smallWrites) * perWrite, writeCommand(smallWrites));
    await sleep(SETTLE_MS);
    const afterLarge = privateDirtyBytes(child);
    const windowSeconds = (performance.now() - forkedAt) / 1000;
    for (const batch of [reads, small, large]) if (batch.errors > 0) throw new Error(`writes: ${batch.errors} errors, first: ${batch.firstError}`);
    const forkUsec = infoNumber(parseInfo(await redis.info('stats')), 'latest_fork_usec');
    abortForkChild(server, child);
    await waitForSaveEnd(redis);
    await redis.config('SET', 'rdb-key-save-delay', '0');

    const readBaselinePages = pagesOf(afterReads - start);
    const batch = (writes: number, commands: number, copiedBytes: number, seconds: number): WriteBatch => {
      const copiedPages = pagesOf(copiedBytes) - readBaselinePages;
      const distinctKeys = distinctIn(plan.keys, writes, spec.keys);
      return {
        writes,
        commands,
        distinctKeys,
        copiedPages,
        pagesPerWrite: round(copiedPages / writes, 4),
        pagesPerCommand: round(copiedPages / commands, 4),
        pagesPerDistinctKey: round(copiedPages / distinctKeys, 4),
        seconds: round(seconds, 3),
      };
    };
    const repetition: Repetition = {
      seed,
      loadavgAtStart,
      fillSeconds: round(fillSeconds, 2),
      usedMemoryBytes: infoNumber(memory, 'used_memory') ?? 0,
      usedMemoryRssBytes: infoNumber(memory, 'used_memory_rss') ?? 0,
      allocatorAllocatedBytes: infoNumber(memory, 'allocator_allocated'),
      allocatorResidentBytes: infoNumber(memory, 'allocator_resident'),
      memFragmentationRatio: infoNumber(memory, 'mem_fragmentation_ratio'),
      mainDictRehashing: rehashing,
      samples,
      latestForkUsec: forkUsec,
      windowSeconds: round(windowSeconds, 2),
      childPrivateDirtyBytes: { start, afterReads, afterSmall, afterLarge },
      readCommands: readKeys.length,
      readBaselinePages,
      small: batch(smallWrites, small.commands, afterSmall - afterReads, small.seconds),
      large: batch(largeWrites, small.commands + large.commands, afterLarge - afterReads, small.seconds + large.seconds),
    };
    log(
      `seed ${seed}: ${spec.keys} keys, used_memory ${round(repetition.usedMemoryBytes / 2 ** 20, 1)} MiB, ` +
        `reads ${readBaselinePages} pages, small ${repetition.small.copiedPages} pages (${repetition.small.pagesPerWrite}/write), ` +
        `large ${repetition.large.copiedPages} pages (${repetition.large.pagesPerWrite}/write)`,
    );
    return repetition;
  } finally {
    for (const failure of await cleanup.runAll()) log(`cleanup failed: ${failure}`);
    unguard();
  }
}

export async function measureCase(name: string, spec: CaseSpec, reps: number, port: number, log: (line: string) => void): Promise<CaseResult> {
  const runs: Repetition[] = [];
  for (let rep = 0; rep < reps; rep++) {
    if (interruptedBy()) throw new Error(`interrupted by ${interruptedBy()}`);
    await waitForQuietHost(log, QUIET_WAIT_SEC);
    runs.push(await measureRepetition(spec, 1000 + rep, port, (line) => log(`${name}: ${line}`)));
  }
  const of = (pick: (r: Repetition) => number, digits = 3) => spread(runs.map(pick), digits);
  return {
    name,
    ...spec,
    commandsPerWrite: commandsPerWrite(spec.write),
    dismissObject: dismissFacts(spec, runs[0]!.samples[0]!),
    runs,
    summary: {
      usedMemoryBytes: of((r) => r.usedMemoryBytes, 0).median,
      bytesPerKey: round(of((r) => r.usedMemoryBytes, 0).median / spec.keys, 1),
      smallPagesPerWrite: of((r) => r.small.pagesPerWrite),
      smallPagesPerDistinctKey: of((r) => r.small.pagesPerDistinctKey),
      largePagesPerWrite: of((r) => r.large.pagesPerWrite),
      largePagesPerDistinctKey: of((r) => r.large.pagesPerDistinctKey),
      largeCopiedShareOfRss: of((r) => (r.large.copiedPages * PAGE_BYTES) / r.usedMemoryRssBytes),
      readBaselinePages: of((r) => r.readBaselinePages, 0),
    },
  };
}

function thpDefrag(): string | null {
  try {
    return /\[([\w+]+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/defrag', 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

async function main(argv: string[]): Promise<void> {
  const option = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const port = Number(option('--port'));
  if (!Number.isInteger(port) || port <= 0) throw new Error('usage: npx tsx validation/encoding-probe.ts --port PORT [--cases a,b] [--reps 3] [--out FILE]');
  if (!(await isPortFree(port))) throw new Error(`port ${port} is in use`);
  const reps = Number(option('--reps') ?? 3);
  const names = option('--cases')?.split(',') ?? Object.keys(CASES);
  for (const name of names) if (!CASES[name]) throw new Error(`unknown case ${name}; cases: ${Object.keys(CASES).join(' ')}`);
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const out = option('--out') ?? join(root, 'test/fixtures/encoding-probe.json');
  const log = (line: string) => process.stderr.write(`encoding-probe: ${line}\n`);

  const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { cases: CaseResult[] }).cases : [];
  const results = new Map(previous.map((c) => [c.name, c]));
  const host = hostFacts();
  const thp = { enabled: readThp(), defrag: thpDefrag() };
  let config: Record<string, string> | undefined;
  for (const name of names) {
    const result = await measureCase(name, CASES[name]!, reps, port, log);
    results.set(name, result);
    config ??= await serverConfig(port);
    const fixture = {
      description:
        "Pages copied per write, by key type and encoding: a BGSAVE child with rdb-key-save-delay 1000000 (one key saved per second) is forked after the fill; its Private_Dirty growth in 4 KiB pages is read across a batch of EXISTS reads (the bookkeeping baseline, subtracted), a small batch of uniform random writes and more writes up to N/2. Each case is measured in 3 repetitions on fresh redis-server processes. Fields: test/fixtures/encoding-probe.README.md; mechanism: validation/ENCODINGS.md.",
      reproduce: 'npx tsx validation/encoding-probe.ts --port PORT [--cases NAME,...] [--reps 3]',
      host,
      thp,
      redisConfig: config,
      cases: Object.keys(CASES).flatMap((n) => (results.has(n) ? [results.get(n)!] : [])),
    };
    writeFileSync(out, `${JSON.stringify(fixture, null, 1)}\n`);
    log(`${name}: ${JSON.stringify(result.summary)}`);
  }
}

/** The encoding thresholds and the settings the measurement depends on, from a server of the probe's own. */
async function serverConfig(port: number): Promise<Record<string, string>> {
  const cleanup = new CleanupStack();
  const unguard = guardProcess(cleanup);
  try {
    const { redis } = await ownServer(port, cleanup);
    const config = await configGet(redis, ['hash-max-listpack-*', 'set-max-intset-entries', 'zset-max-listpack-*', 'list-max-listpack-size', 'list-compress-depth', 'activerehashing', 'activedefrag', 'jemalloc-bg-thread', 'rdbcompression', 'disable-thp', 'lazyfree-lazy-server-del', 'hz']);
    config.redis_version = String(parseInfo(await redis.info('server')).redis_version);
    return config;
  } finally {
    await cleanup.runAll();
    unguard();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`encoding-probe: ${err.stack ?? err.message}\n`);
    process.exitCode = 1;
  });
}
