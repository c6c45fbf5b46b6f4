// estimateRdbBytes against the RDB files Redis 7.0.15 wrote on this machine: the container runs'
// BGSAVEs (test/fixtures/container/, st_size of dump.rdb) and the disk-based full syncs
// (test/fixtures/replication/, the size the replica was told in "$<size>"). Both datasets are
// DEBUG POPULATE's key:0 … key:N−1 with 1 KiB values, saved without compression.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { estimateRdbBytes, populateKeyNameBytes } from '../src/engine/rdb-size.js';

interface ContainerRun {
  config: Record<string, string>;
  dataset: { keys: number; keys_deleted: number; used_memory: number };
  spec: { valueBytes: number };
  save: { rdb_file_bytes: number };
}
interface SyncRun {
  config: { master: Record<string, string> };
  dataset: { keys: number; keys_deleted: number };
  spec: { valueBytes: number };
  log: { master: { line: string }[]; replica: { line: string }[] };
}
const read = <T>(path: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${path}.json`, import.meta.url), 'utf8')) as T;

const containerRuns = ['disk-fsync', 'disk-no-fsync', 'tmpfs', 'disk-limit'].map((name) => [name, read<ContainerRun>(`container/${name}`)] as const);
const syncRuns = ['disk-sync', 'disk-sync-two-replicas'].map((name) => [name, read<SyncRun>(`replication/${name}`)] as const);

/** The replica's "receiving <n> bytes from master to disk": the master's dump.rdb, sent whole. */
const sentBytes = (run: SyncRun) => Number(/receiving (\d+) bytes from master to disk/.exec(run.log.replica.map((l) => l.line).join('\n'))![1]);
/** "RDB memory usage when created 256.39 Mb": the used-mem aux field, in MiB. */
const usedMemMib = (run: SyncRun) => Number(/RDB memory usage when created ([\d.]+) Mb/.exec(run.log.replica.map((l) => l.line).join('\n'))![1]);

describe('the RDB of N string keys, to the byte', () => {
  it.each(containerRuns)('%s: a BGSAVE of a master without replicas (no replication info) is 256,740,012 bytes', (_, run) => {
    expect(run.config.rdbcompression).toBe('no');
    expect(run.dataset.keys_deleted).toBe(0);
    const { keys } = run.dataset;
    const size = estimateRdbBytes({
      keys,
      keyBytes: populateKeyNameBytes(keys) / keys,
      valueBytes: run.spec.valueBytes,
      redisVersion: '7.0',
      usedMemoryBytes: run.dataset.used_memory,
    });
    expect(size).toBe(run.save.rdb_file_bytes);
    expect(size).toBe(256_740_012);
  });

  it.each(syncRuns)('%s: a full sync’s file carries repl-stream-db, repl-id and repl-offset and is 204,910,679 bytes', (_, run) => {
    expect(run.config.master.rdbcompression).toBe('no');
    expect(run.config.master['repl-diskless-sync']).toBe('no');
    const { keys } = run.dataset;
    const base = { keys, keyBytes: populateKeyNameBytes(keys) / keys, valueBytes: run.spec.valueBytes, redisVersion: '7.0' as const, usedMemoryBytes: usedMemMib(run) * 2 ** 20 };
    // The backlog is created when the replica asks (offset 0) and the fork follows at once:
    // any offset below 128 is an int8, so the exact value does not matter.
    expect(estimateRdbBytes({ ...base, replicationOffset: 0 })).toBe(sentBytes(run));
    expect(estimateRdbBytes({ ...base, replicationOffset: 127 })).toBe(sentBytes(run));
    expect(sentBytes(run)).toBe(204_910_679);
    // Without the replication fields the estimate would be 83 bytes short.
    expect(sentBytes(run) - estimateRdbBytes(base)).toBe(83);
  });

  it('a mean key length of 10 (the fixtures’ rounded key_bytes) misses by the names’ rounding only', () => {
    const [, run] = containerRuns[0]!;
    const rounded = estimateRdbBytes({ keys: run.dataset.keys, keyBytes: 10, valueBytes: 1024, redisVersion: '7.0' });
    const exactNames = populateKeyNameBytes(run.dataset.keys);
    expect(rounded - run.save.rdb_file_bytes).toBe(10 * run.dataset.keys - exactNames);
    expect(Math.abs(rounded - run.save.rdb_file_bytes) / run.save.rdb_file_bytes).toBeLessThan(0.0005);
  });
});
