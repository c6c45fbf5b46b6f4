// Bytes one write adds to the replication stream: the command as the master propagates it, in
// RESP (`src/networking.c` addReplyArrayLen/addReplyBulk via `src/replication.c`
// replicationFeedSlaves → feedReplicationBuffer in 7.0). A SET travels as the client sent it:
// `*3\r\n$3\r\nSET\r\n$<k>\r\n<key>\r\n$<v>\r\n<value>\r\n`. The same bytes go to the AOF
// (`src/aof.c` catAppendOnlyGenericCommand), so the 6.2 rewrite diff uses them too.
// Measured: 1,063 B per `SET key:N <1 KiB>` (test/fixtures/replication, load.replication_bytes_per_write).

/** Writes per second offered: flat, or as a function of seconds since the fork event began. */
export type WriteRate = number | ((tSec: number) => number);

export function writeRateAt(rate: WriteRate, tSec: number): number {
  return typeof rate === 'number' ? rate : rate(tSec);
}

const CRLF_BYTES = 2;

function decimalDigits(n: number): number {
  return String(n).length;
}

/** One RESP bulk string `$<len>\r\n<bytes>\r\n`. */
export function respBulkBytes(payloadBytes: number): number {
  if (!Number.isInteger(payloadBytes) || payloadBytes < 0) throw new RangeError(`bulk length must be a non-negative integer, got ${payloadBytes}`);
  return 1 + decimalDigits(payloadBytes) + CRLF_BYTES + payloadBytes + CRLF_BYTES;
}

/** A RESP command: the array header `*<n>\r\n` and one bulk string per argument. */
export function respCommandBytes(argumentBytes: readonly number[]): number {
  const header = 1 + decimalDigits(argumentBytes.length) + CRLF_BYTES;
  return argumentBytes.reduce((sum, bytes) => sum + respBulkBytes(bytes), header);
}

/** `SET key value` in the replication stream, from the key's and the value's lengths. */
export function setCommandBytes(keyBytes: number, valueBytes: number): number {
  return respCommandBytes(['SET'.length, keyBytes, valueBytes]);
}

/** The write commands of one segment's operation, as (argument lengths) per command. */
export function segmentCommandBytes(type: 'string' | 'hash' | 'set' | 'zset' | 'list', keyBytes: number, valueBytes: number): number {
  switch (type) {
    case 'string':
      return setCommandBytes(keyBytes, valueBytes);
    case 'hash': {
      const field = Math.ceil(valueBytes / 2);
      return respCommandBytes(['HSET'.length, keyBytes, field, valueBytes - field]);
    }
    case 'set':
      // SREM and SADD of one member each: the mean of the pair.
      return (respCommandBytes(['SREM'.length, keyBytes, valueBytes]) + respCommandBytes(['SADD'.length, keyBytes, valueBytes])) / 2;
    case 'zset':
      // Propagated as sent (zaddGenericCommand rewrites no ZINCRBY): an increment of 1.
      return respCommandBytes(['ZINCRBY'.length, keyBytes, 1, valueBytes]);
    case 'list':
      return (respCommandBytes(['LPUSH'.length, keyBytes, valueBytes]) + respCommandBytes(['RPOP'.length, keyBytes])) / 2;
  }
}
