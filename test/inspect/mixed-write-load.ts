// A paced write load of its own process, for test/inspect/live.test.ts: SET … KEEPTTL of 100-byte
// values on str:0…N-1 and HSET of field f3 (20 bytes) on hl:0…M-1, open loop at the given
// rates. On SIGTERM it prints what it sent and had answered, as one JSON line, and exits.
// Usage: node --import tsx mixed-write-load.ts PORT SET_PER_SEC STRING_KEYS HSET_PER_SEC HASH_KEYS
import { Redis } from 'ioredis';

const [port, setRate, stringKeys, hsetRate, hashKeys] = process.argv.slice(2).map(Number) as [number, number, number, number, number];
const redis = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
redis.on('error', () => undefined);
const value = 'v'.repeat(100);
const field = 'w'.repeat(20);
const counts = { set: 0, hset: 0, acked: 0, errors: 0, startedMs: 0, stoppedMs: 0 };
const TICK_MS = 5;

await redis.ping();
counts.startedMs = Date.now();
// Deterministic key choice: a multiplicative hash of the write number spreads writes uniformly.
const pick = (n: number, keys: number) => (Math.imul(n + 1, 2_654_435_761) >>> 0) % keys;
const timer = setInterval(() => {
  const elapsed = (Date.now() - counts.startedMs) / 1000;
  const pipeline = redis.pipeline();
  let queued = 0;
  for (; counts.set < Math.floor(setRate * elapsed); counts.set++, queued++) pipeline.set(`str:${pick(counts.set, stringKeys)}`, value, 'KEEPTTL');
  for (; counts.hset < Math.floor(hsetRate * elapsed); counts.hset++, queued++) pipeline.hset(`hl:${pick(counts.hset, hashKeys)}`, 'f3', field);
  if (queued === 0) return;
  pipeline.exec().then(
    (replies) => {
      for (const [err] of replies ?? []) {
        if (err) counts.errors++;
        else counts.acked++;
      }
    },
    () => (counts.errors += queued),
  );
}, TICK_MS);

process.once('SIGTERM', () => {
  clearInterval(timer);
  counts.stoppedMs = Date.now();
  // Let the last answers arrive, then report.
  setTimeout(() => {
    process.stdout.write(`${JSON.stringify(counts)}\n`);
    redis.disconnect();
    process.exit(0);
  }, 200);
});
process.stdout.write('ready\n');
