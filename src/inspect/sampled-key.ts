// One key of the sample, as read-only commands describe it: TYPE, OBJECT ENCODING, MEMORY USAGE,
// PTTL, OBJECT IDLETIME, the type's length command (STRLEN, HLEN, SCARD, ZCARD, LLEN) and the
// lengths of a few random elements (HRANDFIELD … WITHVALUES, SRANDMEMBER, ZRANDMEMBER, LRANGE).

export interface SampledKey {
  db: number;
  /** Length of the key's name. */
  keyBytes: number;
  /** TYPE's answer: string, hash, set, zset, list, stream, or a module type's name. */
  type: string;
  /** OBJECT ENCODING's answer: int, embstr, raw, listpack, hashtable, intset, skiplist, quicklist, … */
  encoding: string;
  /** MEMORY USAGE; undefined when refused. */
  memoryBytes: number | undefined;
  /** Remaining time to live; undefined for a key without expiry. */
  ttlMs: number | undefined;
  /** OBJECT IDLETIME, read before anything else touched the key; undefined under an LFU policy. */
  idleSec: number | undefined;
  /** STRLEN for a string, else the element count. */
  length: number;
  /** Bytes of each sampled element: field + value for a hash, the member for a set or sorted set, the entry for a list. */
  elementBytes: number[];
  /** For a set: the largest absolute value among the sampled members when all are integers. */
  maxAbsIntMember?: number | undefined;
  /** Keys in its database / keys of that database in the sample: the keys this one stands for. */
  weight: number;
}
