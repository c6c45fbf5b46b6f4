// What a key of each type and encoding allocates in Redis 7.0.15, and what one write of its
// segment's operation rewrites: the write units (the key itself, or one of its elements where a
// write touches that element's allocations alone) and their allocations, in the layout's terms.
// The encoding follows the thresholds of `src/t_hash.c` hashTypeTryConversion, `src/t_set.c`
// setTypeCreate / intsetAdd, `src/t_zset.c` zsetTypeCreate and `src/quicklist.c`.
//
// - string: `src/t_string.c` setKey → dbReplaceValue writes the dictEntry's value pointer and a
//   fresh robj/sds (keyAllocations, layout.ts); INCR of an int-encoded counter above the shared
//   integers rewrites the robj's pointer field in place (incrDecrCommand).
// - hash, zset in a listpack: one allocation rewritten in place (lpReplace → lpInsert, same
//   size: the element and the header's total) and the robj's `ptr` stored again
//   (hashTypeSet, zzlDelete + zzlInsert for ZINCRBY, which moves the element).
// - set in an intset: SREM then SADD memmove the tail and resize in place (intsetRemove,
//   intsetAdd), and store `ptr` again.
// - hash in a hashtable: HSET of an existing field frees the value sds and stores a new one,
//   which the thread cache serves from the slot just freed, through the field's dictEntry.
// - set in a hashtable: SREM frees the member's dictEntry and sds and SADD allocates them
//   again (the same slots) in another bucket of the set's table: two bucket writes.
// - zset in a skiplist: ZINCRBY updates the node's score (zslUpdateScore: in place, or the node
//   moved with its neighbours' forward pointers rewritten) and the dict's pointer to it.
// - list in a quicklist: LPUSH rewrites the head node's listpack (lpInsert at the front moves
//   every entry), RPOP the tail node's; each node's count and size are written.
// Redis 7 dismiss (`src/object.c` dismissObject): a listpack or intset is released page by page
// once saved; a hashtable's or quicklist's elements only when they average a page or more (the
// bucket arrays are released too, which the model leaves in place).
import { PAGE_BYTES, sizeClass } from './jemalloc.js';
import { rdbLenBytes, rdbStringBytes } from './rdb-size.js';
import { DICT_ENTRY_BYTES, EMBSTR_MAX_VALUE_BYTES, ROBJ_BYTES, keyAllocations, sdsHeaderBytes, type Allocation, type AllocationKind } from './layout.js';

export type SegmentType = 'string' | 'hash' | 'set' | 'zset' | 'list';
export type Encoding = 'int' | 'embstr' | 'raw' | 'listpack' | 'hashtable' | 'intset' | 'skiplist' | 'quicklist';

/** The thresholds that choose an encoding (CONFIG names, 7.0 defaults in `src/config.c`). */
export interface EncodingConfig {
  'hash-max-listpack-entries': number;
  'hash-max-listpack-value': number;
  'set-max-intset-entries': number;
  'zset-max-listpack-entries': number;
  'zset-max-listpack-value': number;
  'list-max-listpack-size': number;
}

export const DEFAULT_ENCODING_CONFIG: EncodingConfig = {
  'hash-max-listpack-entries': 512,
  'hash-max-listpack-value': 64,
  'set-max-intset-entries': 512,
  'zset-max-listpack-entries': 128,
  'zset-max-listpack-value': 64,
  'list-max-listpack-size': -2,
};

export interface SegmentShape {
  type: SegmentType;
  keyBytes: number;
  /** Strings: the value; aggregates: one element (field + value for hashes). */
  valueBytes: number;
  /** Hashes: the field's part of valueBytes; null: half of it. */
  fieldBytes: number | null;
  elements: number;
  intMembers: boolean;
  valueEncoding: 'auto' | 'int' | 'embstr' | 'raw';
}

/** A key's write units and what one write command does to them. */
export interface EncodedSegment {
  encoding: Encoding;
  /** Write units per key: 1 when a write rewrites the key's one allocation, else its elements. */
  unitsPerKey: number;
  /** The allocations of one unit, in the order Redis makes them. */
  unitAllocations: Allocation[];
  /** Allocations once per key besides the units (robj, dict, skiplist header): read-only bytes. */
  perKeyReadOnlyBytes: number;
  /** Per-key hash-table bucket arrays, a write's bucket writes land in. */
  perKeyBucketBytes: number;
  /** Bucket-array writes per command. */
  bucketWritesPerCommand: number;
  /** Unit rewrites per command: a pair of commands (SREM + SADD, LPUSH + RPOP) rewrites once. */
  unitWritesPerCommand: number;
  /** Pages a unit's first write dirties beyond its allocations' written extents (see inPlaceElementWrite). */
  partialWritePagesPerUnit: number;
}

/** LP_HDR_SIZE + LP_EOF, `src/listpack.c`. */
const LISTPACK_OVERHEAD_BYTES = 6 + 1;
/** sizeof(intset) header: encoding and length, `src/intset.h`. */
const INTSET_HEADER_BYTES = 8;
/** sizeof(dict) in 7.0: type, two tables, their sizes and used counts, rehashidx, pauserehash. */
const DICT_BYTES = 56;
/** sizeof(zset) (dict pointer, zsl pointer) and sizeof(zskiplist) (header, tail, length, level). */
const ZSET_BYTES = 16;
const ZSKIPLIST_BYTES = 32;
/** zslCreate's header node has ZSKIPLIST_MAXLEVEL (32) levels of 16 B over the 24 B node. */
const ZSKIPLIST_HEADER_BYTES = 24 + 32 * 16;
/** sizeof(zskiplistNode) without levels (ele, score, backward) and one level (forward, span). */
const SKIPLIST_NODE_BYTES = 24;
const SKIPLIST_LEVEL_BYTES = 16;
/** ZSKIPLIST_P = 0.25: a node's mean level count is 1 / (1 − p). */
const SKIPLIST_MEAN_LEVELS = 1 / (1 - 0.25);
/** sizeof(quicklist) and sizeof(quicklistNode), `src/quicklist.h`. */
const QUICKLIST_BYTES = 40;
const QUICKLIST_NODE_BYTES = 32;
/** optimization_level in `src/quicklist.c`: list-max-listpack-size -1 … -5 caps a node at 4–64 KiB. */
const QUICKLIST_SIZE_LIMITS = [4096, 8192, 16384, 32768, 65536];
/**
 * A sorted-set score in a listpack: zzlInsertAt stores it as a string, which lpAppend encodes
 * as an integer when it is one (lpStringToInt64); a 16-bit integer entry is 4 bytes (encoding,
 * two bytes, backlen). Counters that ZINCRBY grows stay integers.
 */
const ZSET_SCORE_ENTRY_BYTES = 4;
/** OBJ_SHARED_INTEGERS: smaller counters are shared objects, replaced rather than updated. */
const SHARED_INTEGERS = 10000;

/** One listpack entry of a string of `len` bytes: encoding byte(s), data, backlen (`src/listpack.c`). */
export function listpackEntryBytes(len: number): number {
  const header = len < 64 ? 1 : len < 4096 ? 2 : 5;
  const body = header + len;
  const backlen = body < 128 ? 1 : body < 16384 ? 2 : body < 2097152 ? 3 : body < 268435456 ? 4 : 5;
  return body + backlen;
}

function allocation(kind: AllocationKind, requestBytes: number, writtenOnOverwrite: boolean, dismissible = false, writtenBytes?: number): Allocation {
  const a: Allocation = { kind, requestBytes, usableBytes: sizeClass(requestBytes), writtenOnOverwrite, dismissible };
  return writtenBytes === undefined || writtenBytes >= requestBytes ? a : { ...a, writtenBytes };
}

/**
 * A write that rewrites one element of a listpack in place dirties the header's page (the total
 * bytes) and the element's, uniform over the P pages it spans: the header's, and 1 − 1/P pages
 * more, each the key's own. Measured: 1.64 pages per HSET on a 7 KiB listpack of 200 fields
 * (encoding-probe.json), 1.5 of them the listpack's.
 */
export function inPlaceElementWrite(listpackBytes: number): { writtenBytes: number; extraPages: number } {
  const pages = Math.ceil(listpackBytes / PAGE_BYTES);
  return pages <= 1 ? { writtenBytes: listpackBytes, extraPages: 0 } : { writtenBytes: LISTPACK_OVERHEAD_BYTES, extraPages: 1 - 1 / pages };
}

const sdsBytes = (len: number) => sdsHeaderBytes(len) + len + 1;

/** Keys in Redis's main dictionary: its key sds and dictEntry, read by every write but not written. */
function keyAllocationsReadOnly(keyBytes: number): Allocation[] {
  return [allocation('key-sds', sdsBytes(keyBytes), false), allocation('dict-entry', DICT_ENTRY_BYTES, false)];
}

export function stringEncoding(valueBytes: number, valueEncoding: SegmentShape['valueEncoding']): Encoding {
  if (valueEncoding !== 'auto') return valueEncoding;
  return valueBytes <= EMBSTR_MAX_VALUE_BYTES ? 'embstr' : 'raw';
}

export function aggregateEncoding(shape: SegmentShape, config: EncodingConfig): Encoding {
  const { type, elements, valueBytes } = shape;
  switch (type) {
    case 'hash':
      // Field and value are each checked against the value limit.
      return elements <= config['hash-max-listpack-entries'] && Math.max(fieldBytesOf(shape), valueBytes - fieldBytesOf(shape)) <= config['hash-max-listpack-value'] ? 'listpack' : 'hashtable';
    case 'set':
      return shape.intMembers && elements <= config['set-max-intset-entries'] ? 'intset' : 'hashtable';
    case 'zset':
      return elements <= config['zset-max-listpack-entries'] && valueBytes <= config['zset-max-listpack-value'] ? 'listpack' : 'skiplist';
    case 'list':
      return 'quicklist';
    case 'string':
      return stringEncoding(valueBytes, shape.valueEncoding);
  }
}

/** Bytes of the quicklist nodes' listpacks: full nodes up to the size or count limit. */
function quicklistNodes(elements: number, entryBytes: number, fill: number): { nodes: number; perNodeBytes: number } {
  const perNodeEntries = fill > 0 ? fill : Math.max(1, Math.floor((QUICKLIST_SIZE_LIMITS[-fill - 1]! - LISTPACK_OVERHEAD_BYTES) / entryBytes));
  const nodes = Math.max(1, Math.ceil(elements / perNodeEntries));
  return { nodes, perNodeBytes: LISTPACK_OVERHEAD_BYTES + Math.ceil(elements / nodes) * entryBytes };
}

export function encodeSegment(shape: SegmentShape, config: EncodingConfig): EncodedSegment {
  const { keyBytes, valueBytes, elements } = shape;
  const base = { perKeyReadOnlyBytes: 0, perKeyBucketBytes: 0, bucketWritesPerCommand: 0, unitWritesPerCommand: 1, partialWritePagesPerUnit: 0 };
  const robj = allocation('value-robj', ROBJ_BYTES, true);
  const encoding = aggregateEncoding(shape, config);
  switch (encoding) {
    case 'embstr':
    case 'raw':
      return { ...base, encoding, unitsPerKey: 1, unitAllocations: keyAllocations(keyBytes, encoding === 'raw' ? Math.max(valueBytes, EMBSTR_MAX_VALUE_BYTES + 1) : valueBytes) };
    case 'int': {
      // A counter past the shared integers is its own robj, updated in place; below them INCR
      // swaps shared objects and writes only the dictEntry's value pointer.
      const inPlace = valueBytes >= String(SHARED_INTEGERS).length;
      const entry = allocation('dict-entry', DICT_ENTRY_BYTES, !inPlace);
      const allocations = inPlace ? [allocation('value-robj', ROBJ_BYTES, true), allocation('key-sds', sdsBytes(keyBytes), false), entry] : [allocation('key-sds', sdsBytes(keyBytes), false), entry];
      return { ...base, encoding, unitsPerKey: 1, unitAllocations: allocations };
    }
    case 'listpack': {
      const field = fieldBytesOf(shape);
      const perElement = shape.type === 'hash' ? listpackEntryBytes(field) + listpackEntryBytes(valueBytes - field) : listpackEntryBytes(valueBytes) + ZSET_SCORE_ENTRY_BYTES;
      const bytes = LISTPACK_OVERHEAD_BYTES + elements * perElement;
      // HSET replaces a value in place; ZINCRBY deletes the member and inserts it where its new
      // score sorts, moving what lies between: the whole listpack, as far as the model goes.
      const partial = shape.type === 'hash' ? inPlaceElementWrite(bytes) : { writtenBytes: bytes, extraPages: 0 };
      const listpack = allocation('value-sds', bytes, true, true, partial.writtenBytes);
      return { ...base, encoding, unitsPerKey: 1, unitAllocations: [robj, listpack, ...keyAllocationsReadOnly(keyBytes)], partialWritePagesPerUnit: partial.extraPages };
    }
    case 'intset': {
      const width = valueBytes <= 2 ? 2 : valueBytes <= 4 ? 4 : 8;
      const intset = allocation('value-sds', INTSET_HEADER_BYTES + elements * width, true, true);
      return { ...base, encoding, unitsPerKey: 1, unitWritesPerCommand: 0.5, unitAllocations: [robj, intset, ...keyAllocationsReadOnly(keyBytes)] };
    }
    case 'quicklist': {
      const entry = listpackEntryBytes(valueBytes);
      const { nodes, perNodeBytes } = quicklistNodes(elements, entry, config['list-max-listpack-size']);
      // LPUSH + RPOP: the head and the tail node (one node when the list fits one).
      const written = Math.min(nodes, 2);
      const allocations: Allocation[] = [allocation('value-robj', QUICKLIST_BYTES, true)];
      // dismissListObject walks the nodes only when the mean node spans a page.
      const dismissible = perNodeBytes >= PAGE_BYTES;
      // LPUSH moves every entry of the head node; RPOP rewrites the tail node's header and last entry.
      for (let i = 0; i < written; i++) {
        const reach = i === 0 ? perNodeBytes : Math.min(perNodeBytes, PAGE_BYTES + 1);
        allocations.push(allocation('value-robj', QUICKLIST_NODE_BYTES, true), allocation('value-sds', perNodeBytes, true, dismissible, reach));
      }
      allocations.push(...keyAllocationsReadOnly(keyBytes));
      const untouched = nodes - written;
      return {
        ...base,
        encoding,
        unitsPerKey: 1,
        unitWritesPerCommand: 0.5,
        unitAllocations: allocations,
        perKeyReadOnlyBytes: ROBJ_BYTES + untouched * (sizeClass(QUICKLIST_NODE_BYTES) + sizeClass(perNodeBytes)),
      };
    }
    case 'hashtable': {
      const buckets = bucketArrayBytes(elements);
      if (shape.type === 'hash') {
        const field = fieldBytesOf(shape);
        return {
          ...base,
          encoding,
          unitsPerKey: elements,
          // dismissHashObject walks the values only when an entry averages a page or more.
          unitAllocations: [allocation('key-sds', sdsBytes(field), false), allocation('value-sds', sdsBytes(valueBytes - field), true, valueBytes >= PAGE_BYTES), allocation('dict-entry', DICT_ENTRY_BYTES, true)],
          perKeyReadOnlyBytes: sizeClass(ROBJ_BYTES) + sizeClass(DICT_BYTES) + sizeClass(buckets) + keyReadOnlyBytes(keyBytes),
        };
      }
      // A set: SREM + SADD free and re-allocate one member's entry and sds, in two buckets.
      return {
        ...base,
        encoding,
        unitsPerKey: elements,
        unitWritesPerCommand: 0.5,
        unitAllocations: [allocation('value-sds', sdsBytes(valueBytes), true, valueBytes >= PAGE_BYTES), allocation('dict-entry', DICT_ENTRY_BYTES, true)],
        perKeyReadOnlyBytes: sizeClass(ROBJ_BYTES) + sizeClass(DICT_BYTES) + keyReadOnlyBytes(keyBytes),
        perKeyBucketBytes: sizeClass(buckets),
        bucketWritesPerCommand: 1,
      };
    }
    case 'skiplist': {
      const node = SKIPLIST_NODE_BYTES + Math.round(SKIPLIST_MEAN_LEVELS * SKIPLIST_LEVEL_BYTES);
      return {
        ...base,
        encoding,
        unitsPerKey: elements,
        // The member sds is shared by the node and the dict (7.0 zsetAdd); the node and the
        // dict entry's pointer to its score are written.
        unitAllocations: [allocation('key-sds', sdsBytes(valueBytes), false), allocation('value-robj', node, true), allocation('dict-entry', DICT_ENTRY_BYTES, true)],
        perKeyReadOnlyBytes:
          sizeClass(ROBJ_BYTES) + sizeClass(ZSET_BYTES) + sizeClass(DICT_BYTES) + sizeClass(bucketArrayBytes(elements)) + sizeClass(ZSKIPLIST_BYTES) + sizeClass(ZSKIPLIST_HEADER_BYTES) + keyReadOnlyBytes(keyBytes),
      };
    }
  }
}

/** A hash's field bytes: as given, else half the entry. */
function fieldBytesOf(shape: SegmentShape): number {
  return shape.fieldBytes ?? Math.ceil(shape.valueBytes / 2);
}

/** A dict's bucket array for n entries: the next power of two, 8 B a bucket (`src/dict.c` _dictNextExp). */
function bucketArrayBytes(entries: number): number {
  let size = 4;
  while (size < entries) size *= 2;
  return size * 8;
}

const keyReadOnlyBytes = (keyBytes: number) => sizeClass(sdsBytes(keyBytes)) + sizeClass(DICT_ENTRY_BYTES);

/**
 * A key's value in the RDB (`src/rdb.c` rdbSaveObject, uncompressed): a listpack, intset or
 * quicklist node is saved as one string of its bytes; hashtable and skiplist elements one by
 * one (a sorted set's score as an 8-byte double). Returns the bytes after the key.
 */
export function rdbValueBytes(shape: SegmentShape, encoded: EncodedSegment): number {
  const lenBytes = rdbLenBytes;
  const stringBytes = rdbStringBytes;
  const { valueBytes, elements } = shape;
  const blob = encoded.unitAllocations.find((a) => a.kind === 'value-sds');
  switch (encoded.encoding) {
    case 'embstr':
    case 'raw':
      return stringBytes(valueBytes);
    case 'int':
      // rdbEncodeInteger: 1 + 1, 2 or 4 bytes; longer counters as strings.
      return valueBytes <= 9 ? 1 + Math.min(4, Math.ceil(valueBytes / 2.5)) : stringBytes(valueBytes);
    case 'listpack':
    case 'intset':
      return stringBytes(blob!.requestBytes);
    case 'quicklist': {
      // RDB_TYPE_LIST_QUICKLIST_2: the node count, then each node's container type and listpack.
      const node = blob!.requestBytes;
      const nodes = Math.max(1, Math.round((elements * listpackEntryBytes(valueBytes)) / Math.max(1, node - LISTPACK_OVERHEAD_BYTES)));
      return lenBytes(nodes) + nodes * (lenBytes(2) + stringBytes(node));
    }
    case 'hashtable':
      return shape.type === 'hash'
        ? lenBytes(elements) + elements * (stringBytes(fieldBytesOf(shape)) + stringBytes(valueBytes - fieldBytesOf(shape)))
        : lenBytes(elements) + elements * stringBytes(valueBytes);
    case 'skiplist':
      return lenBytes(elements) + elements * (stringBytes(valueBytes) + 8);
  }
}
