// The size of the RDB file a save writes for N string keys, byte for byte, when nothing is
// compressed: `rdbcompression no`, or values LZF cannot shrink (rdbSaveLzfStringObject returns 0
// and rdbSaveRawString stores the string verbatim).
//
// `src/rdb.c` (7.0.15 and 6.2.16 alike but for one aux field): rdbSaveRio writes the magic
// "REDIS%04d" (9 bytes), the aux fields of rdbSaveInfoAuxFields, and for each non-empty db
// (rdbSaveDb) SELECTDB + its number and RESIZEDB + the sizes of the keyspace and expires dicts;
// each key is rdbSaveKeyValuePair's [EXPIRETIME_MS + 8 bytes] type byte, key, value; then the
// EOF opcode and the 8-byte CRC64. A string is rdbSaveLen's 1, 2, 5 or 9 byte length and the
// bytes, unless it is at most 11 characters of an integer in int32 range, which rdbSaveRawString
// (rdbTryIntegerEncoding) stores as a 2, 3 or 5 byte int.
//
// Assumed here, and each true of the measured runs: one db; key names and values that are not
// integer strings (an integer-encoded value would save 2–5 bytes instead of its digits); no
// LRU/LFU metadata (maxmemory-policy not *-lru/*-lfu: rdbSaveKeyValuePair adds IDLE or FREQ per
// key); no modules, no functions (7.0 rdbSaveFunctions writes nothing then); key names of one
// rdbSaveLen band (all shorter than 64 bytes, say), since only their mean length is given.
import type { RedisVersion } from './replication-buffer.js';

/** rdbSaveRio: "REDIS%04d", RDB_VERSION 9 (6.2) or 10 (7.0) — 9 bytes either way. */
export const RDB_MAGIC_BYTES = 9;
/** rdbSaveType: one byte per opcode and per value type. */
const OPCODE_BYTES = 1;
/** RDB_OPCODE_EOF and the CRC64 rdbSaveRio appends (zero if rdbchecksum is off, still 8 bytes). */
export const RDB_EOF_BYTES = OPCODE_BYTES + 8;
/** rdbSaveMillisecondTime: an int64 after RDB_OPCODE_EXPIRETIME_MS. */
const EXPIRE_BYTES = OPCODE_BYTES + 8;
/** CONFIG_RUN_ID_SIZE, `src/server.h`: the repl-id aux value. */
const REPL_ID_BYTES = 40;
/** ctime is time(NULL): any date from 1970 to 2038-01-19 encodes as the same int32 (5 bytes). */
export const DEFAULT_RDB_CTIME_SEC = 1_800_000_000;

/** rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit length. */
export function rdbLenBytes(len: number): number {
  if (len < 1 << 6) return 1;
  if (len < 1 << 14) return 2;
  if (len <= 0xffffffff) return 5;
  return 9;
}

/** A string stored verbatim: its length, then its bytes. */
export function rdbStringBytes(len: number): number {
  return rdbLenBytes(len) + len;
}

/** rdbSaveRawString of ll2string(value): rdbEncodeInteger's int8/16/32, else the digits verbatim. */
export function rdbIntegerStringBytes(value: number): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`);
  const digits = String(value).length;
  if (digits <= 11) {
    if (value >= -(2 ** 7) && value < 2 ** 7) return 2;
    if (value >= -(2 ** 15) && value < 2 ** 15) return 3;
    if (value >= -(2 ** 31) && value < 2 ** 31) return 5;
  }
  return rdbStringBytes(digits);
}

/** rdbSaveAuxField: the AUX opcode, the name and the value as strings. */
const auxBytes = (name: string, valueBytes: number) => OPCODE_BYTES + rdbStringBytes(name.length) + valueBytes;

export interface RdbAuxOptions {
  redisVersion: RedisVersion;
  /** zmalloc_used_memory() at the save: the used-mem field's width. */
  usedMemoryBytes: number;
  /** @defaultValue DEFAULT_RDB_CTIME_SEC */
  ctimeSec?: number;
  /**
   * The replication offset when the file carries replication info, null when it does not.
   * rdbPopulateSaveInfo fills it in for a master with a backlog (any master that has had a
   * replica) and for a replica; a master that never had one saves none.
   * @defaultValue null
   */
  replicationOffset?: number | null;
  /** rsi->repl_stream_db. @defaultValue 0 */
  replicationStreamDb?: number;
}

/** rdbSaveInfoAuxFields: redis-ver, redis-bits, ctime, used-mem, [repl-stream-db, repl-id, repl-offset], aof-base (7.0) / aof-preamble (6.2). */
export function rdbAuxFieldsBytes(options: RdbAuxOptions): number {
  const { redisVersion, usedMemoryBytes, ctimeSec = DEFAULT_RDB_CTIME_SEC, replicationOffset = null, replicationStreamDb = 0 } = options;
  // REDIS_VERSION "6.2.16" / "7.0.15": the patch level's digits do not change the length.
  const versionString = redisVersion === '7.0' ? '7.0.15' : '6.2.16';
  let bytes = auxBytes('redis-ver', rdbStringBytes(versionString.length));
  bytes += auxBytes('redis-bits', rdbIntegerStringBytes(64));
  bytes += auxBytes('ctime', rdbIntegerStringBytes(Math.round(ctimeSec)));
  bytes += auxBytes('used-mem', rdbIntegerStringBytes(Math.round(usedMemoryBytes)));
  if (replicationOffset !== null) {
    bytes += auxBytes('repl-stream-db', rdbIntegerStringBytes(replicationStreamDb));
    bytes += auxBytes('repl-id', rdbStringBytes(REPL_ID_BYTES));
    bytes += auxBytes('repl-offset', rdbIntegerStringBytes(replicationOffset));
  }
  // 0 or 1 (an AOF rewrite's preamble): an int8 either way.
  bytes += auxBytes(redisVersion === '7.0' ? 'aof-base' : 'aof-preamble', rdbIntegerStringBytes(0));
  return bytes;
}

export interface RdbSizeOptions extends Omit<RdbAuxOptions, 'usedMemoryBytes'> {
  keys: number;
  /** Mean key name length; the names' total is keys × keyBytes, rounded. */
  keyBytes: number;
  valueBytes: number;
  /** @defaultValue keys × (keyBytes + valueBytes), a lower bound: only its digit count matters */
  usedMemoryBytes?: number;
  /** Keys with a TTL: 9 bytes each. @defaultValue 0 */
  keysWithExpire?: number;
}

export function estimateRdbBytes(options: RdbSizeOptions): number {
  const { keys, keyBytes, valueBytes, keysWithExpire = 0 } = options;
  if (!Number.isInteger(keys) || keys < 0) throw new RangeError(`keys must be a whole number: ${keys}`);
  if (!(keyBytes > 0) || !Number.isInteger(valueBytes) || valueBytes < 0) throw new RangeError('keyBytes must be positive, valueBytes a whole number');
  const usedMemoryBytes = options.usedMemoryBytes ?? Math.round(keys * (keyBytes + valueBytes));
  const header = RDB_MAGIC_BYTES + rdbAuxFieldsBytes({ ...options, usedMemoryBytes });
  if (keys === 0) return header + RDB_EOF_BYTES;
  const db = OPCODE_BYTES + rdbLenBytes(0) + OPCODE_BYTES + rdbLenBytes(keys) + rdbLenBytes(keysWithExpire);
  const perKey = OPCODE_BYTES + rdbLenBytes(Math.round(keyBytes)) + rdbStringBytes(valueBytes);
  return header + db + keys * perKey + Math.round(keys * keyBytes) + keysWithExpire * EXPIRE_BYTES + RDB_EOF_BYTES;
}

/** The total length of the names DEBUG POPULATE gives: `<prefix>:<j>` for j = 0 … keys − 1 (`src/debug.c`). */
export function populateKeyNameBytes(keys: number, prefix = 'key'): number {
  let total = keys * (prefix.length + 1);
  for (let from = 0, digits = 1; from < keys; from = from === 0 ? 10 : from * 10, digits++) {
    const to = Math.min(keys, from === 0 ? 10 : from * 10);
    total += (to - from) * digits;
  }
  return total;
}

/** One segment of a dataset for its RDB: its keys and each key's value bytes after the key name. */
export interface RdbSegment {
  keys: number;
  keyBytes: number;
  valueRdbBytes: number;
  keysWithExpire: number;
}

/** The RDB of a dataset of segments, uncompressed: as estimateRdbBytes, segment by segment. */
export function estimateDatasetRdbBytes(segments: readonly RdbSegment[], options: Omit<RdbAuxOptions, 'usedMemoryBytes'> & { usedMemoryBytes: number }): number {
  const keys = segments.reduce((sum, s) => sum + s.keys, 0);
  const expires = segments.reduce((sum, s) => sum + s.keysWithExpire, 0);
  const header = RDB_MAGIC_BYTES + rdbAuxFieldsBytes(options);
  const db = OPCODE_BYTES + rdbLenBytes(0) + OPCODE_BYTES + rdbLenBytes(keys) + rdbLenBytes(expires);
  const body = segments.reduce(
    (sum, s) => sum + s.keys * (OPCODE_BYTES + rdbLenBytes(s.keyBytes) + s.keyBytes + s.valueRdbBytes) + s.keysWithExpire * EXPIRE_BYTES,
    0,
  );
  return Math.round(header + db + body + RDB_EOF_BYTES);
}
