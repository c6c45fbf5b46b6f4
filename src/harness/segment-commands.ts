// The keys of one validation segment and the commands that fill and write them, shared by the
// fill (src/harness/segment-fill.ts) and the write-load worker, which must name the same fields
// and members. Key N of a segment with prefix P is `P:N`, as DEBUG POPULATE names them
// (src/debug.c). Writes keep every key's size and encoding, as the engine's write ops do
// (src/schemas/dataset.ts): HSET of an existing field with a value of the same size, SREM of a
// member then SADD of its next generation, ZINCRBY 1 of an integer score, LPUSH then RPOP,
// SET of the same size, INCR of a counter.
import { Rng } from '../engine/rng.js';

export type LoadSegmentType = 'string' | 'hash' | 'set' | 'zset' | 'list';

/** A segment as the fill and the load see it: every size resolved. */
export interface LoadSegment {
  name: string;
  type: LoadSegmentType;
  /** Keys are `${prefix}:0` … `${prefix}:${keys - 1}`. */
  prefix: string;
  keys: number;
  /** 1 for a string. */
  elements: number;
  /** Member or list entry bytes; a hash's field + value; a string's value. */
  elementBytes: number;
  /** A hash field's bytes (0 otherwise). */
  fieldBytes: number;
  intMembers: boolean;
  writeOp: 'HSET' | 'SREM+SADD' | 'ZINCRBY' | 'LPUSH+RPOP' | 'SET' | 'INCR';
  /** Share of the write commands. */
  commandShare: number;
  /** Position of key 0 in the load's count of distinct keys over all segments. */
  keyOffset: number;
}

/** Random letters that payloads are cut from at random offsets (as validation/encoding-probe.ts): never an integer (src/util.c string2ll). */
const POOL_CHARS = 1 << 20;
/** Scores are integers below this, so ZINCRBY 1 rarely moves a member past its neighbour (as the encoding probe). */
const SCORE_RANGE = 1_000_000;
/** Counters start above OBJ_SHARED_INTEGERS (10000), so INCR updates the robj in place (src/t_string.c incrDecrCommand). */
const COUNTER_BASE = 1_000_000_000;

export function commandsPerWrite(op: LoadSegment['writeOp']): number {
  return op === 'SREM+SADD' || op === 'LPUSH+RPOP' ? 2 : 1;
}

/** Largest integer member + 1 that keeps an intset at `bytes` wide (int16, int32, int64; src/intset.c _intsetValueEncoding). */
function intMemberLimit(bytes: number): number {
  return bytes <= 2 ? 2 ** 15 : bytes <= 4 ? 2 ** 31 : Number.MAX_SAFE_INTEGER;
}

export class SegmentCommands {
  private readonly pool: string;
  private readonly rng: Rng;
  /** Generation of (key, slot) after SREM+SADD replaced its member; absent = 0. */
  private readonly generations = new Map<number, number>();
  private readonly intStride: number;
  private readonly names: string[];

  constructor(
    readonly segment: LoadSegment,
    seed: number,
  ) {
    const poolRng = new Rng(seed);
    const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const chars: string[] = [];
    for (let i = 0; i < POOL_CHARS; i++) chars.push(letters[poolRng.below(letters.length)]!);
    this.pool = chars.join('');
    this.rng = new Rng(seed + 1);
    this.intStride = Math.max(2, Math.floor(intMemberLimit(segment.elementBytes) / segment.elements));
    this.names = Array.from({ length: segment.type === 'string' || segment.type === 'list' ? 0 : segment.elements }, (_, j) =>
      segment.type === 'hash' ? this.field(j) : segment.type === 'set' ? this.member(j, 0) : this.zsetMember(j),
    );
  }

  key(n: number): string {
    return `${this.segment.prefix}:${n}`;
  }

  private payload(bytes: number): string {
    const at = this.rng.below(POOL_CHARS - bytes);
    return this.pool.slice(at, at + bytes);
  }

  private field(j: number): string {
    return `f${String(j).padStart(this.segment.fieldBytes - 1, '0')}`;
  }

  private member(j: number, generation: number): string {
    if (this.segment.intMembers) return String(j * this.intStride + (generation % this.intStride));
    return `m${j}.${generation}.`.padEnd(this.segment.elementBytes, 'x');
  }

  /** The same letters for slot j in every key, like a schema's member names. */
  private zsetMember(j: number): string {
    const prefix = `z${j}:`;
    const bytes = Math.max(0, this.segment.elementBytes - prefix.length);
    // A prime stride spreads the slots' offsets over the pool.
    const at = (j * 7919) % (POOL_CHARS - bytes);
    return prefix + this.pool.slice(at, at + bytes);
  }

  /** The command that creates key n with all its elements. */
  fill(n: number): string[] {
    const { type, elements, elementBytes, fieldBytes } = this.segment;
    const k = this.key(n);
    const args: string[] = [];
    switch (type) {
      case 'hash':
        args.push('HSET', k);
        for (let j = 0; j < elements; j++) args.push(this.names[j]!, this.payload(elementBytes - fieldBytes));
        return args;
      case 'set':
        return ['SADD', k, ...this.names];
      case 'zset':
        args.push('ZADD', k);
        for (let j = 0; j < elements; j++) args.push(String(this.rng.below(SCORE_RANGE)), this.names[j]!);
        return args;
      case 'list':
        args.push('RPUSH', k);
        for (let j = 0; j < elements; j++) args.push(this.payload(elementBytes));
        return args;
      case 'string':
        return ['SET', k, this.segment.writeOp === 'INCR' ? String(COUNTER_BASE + n) : this.payload(elementBytes)];
    }
  }

  /** The commands of one write op on key n, element slot j (uniform over the key's elements). */
  write(n: number, j: number): string[][] {
    const k = this.key(n);
    switch (this.segment.writeOp) {
      case 'HSET':
        return [['HSET', k, this.names[j]!, this.payload(this.segment.elementBytes - this.segment.fieldBytes)]];
      case 'SREM+SADD': {
        const slot = n * this.segment.elements + j;
        const generation = this.generations.get(slot) ?? 0;
        this.generations.set(slot, generation + 1);
        return [
          ['SREM', k, this.member(j, generation)],
          ['SADD', k, this.member(j, generation + 1)],
        ];
      }
      case 'ZINCRBY':
        return [['ZINCRBY', k, '1', this.names[j]!]];
      case 'LPUSH+RPOP':
        return [['LPUSH', k, this.payload(this.segment.elementBytes)], ['RPOP', k]];
      case 'SET':
        return [['SET', k, this.payload(this.segment.elementBytes)]];
      case 'INCR':
        return [['INCR', k]];
    }
  }
}
