// The paced write load, in a worker thread with its own connection: SET overwrites of existing
// keys with same-size values — or, for a dataset of segments, each segment's own write op on a
// key and element drawn at random, segments drawn by their share of the commands — pipelined
// once per timer tick, at most `maxInflight` commands unanswered. Counts sent, acknowledged and
// distinct keys into the shared counters.
import { parentPort, workerData } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { Rng } from '../engine/rng.js';
import { createKeyPicker, type KeyPicker } from './key-picker.js';
import { commandsPerWrite, SegmentCommands } from './segment-commands.js';
import { RatePacer } from './pacing.js';
import { C, type WriterWorkerData } from './writer-protocol.js';

const SEEN_EVER = 1;
const SEEN_IN_WINDOW = 2;
const DRAIN_MS = 5000;

async function run(data: WriterWorkerData): Promise<string | null> {
  const counters = new Int32Array(data.counters);
  const redis = new Redis({
    host: '127.0.0.1',
    port: data.port,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let firstError: string | null = null;
  redis.on('error', (err: Error) => (firstError ??= err.message));
  await redis.connect();
  const pick = createKeyPicker({
    keys: data.keys,
    distribution: data.distribution,
    seed: data.seed,
    survivors: data.survivors ? new Uint32Array(data.survivors) : undefined,
  });
  const pacer = new RatePacer(data.writesPerSec, data.maxInflight);
  const seen = new Uint8Array(data.keySpace);
  const value = Buffer.alloc(data.valueBytes, 0x78);
  const nextWrite = data.segments ? segmentWrites(data) : undefined;
  // Commands the pacer allowed but not yet sent: a pair (SREM+SADD, LPUSH+RPOP) waits for room for both.
  let credit = 0;
  let pending: { key: number; commands: string[][] } | undefined;
  Atomics.store(counters, C.READY, 1);

  const started = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      if (Atomics.load(counters, C.STOP) === 1) return resolve();
      const answered = Atomics.load(counters, C.ACKED) + Atomics.load(counters, C.ERRORS);
      const inflight = Atomics.load(counters, C.SENT) - answered;
      const step = pacer.step((performance.now() - started) / 1000, inflight);
      const drop = step.drop;
      let send = step.send;
      if (drop > 0) Atomics.add(counters, C.DROPPED, drop);
      if (send > 0) {
        const inWindow = Atomics.load(counters, C.WINDOW) === 1;
        const pipeline = redis.pipeline();
        let distinctAll = 0;
        let distinctWindow = 0;
        const mark = (key: number) => {
          const flags = seen[key]!;
          if ((flags & SEEN_EVER) === 0) distinctAll++;
          if (inWindow && (flags & SEEN_IN_WINDOW) === 0) distinctWindow++;
          seen[key] = flags | SEEN_EVER | (inWindow ? SEEN_IN_WINDOW : 0);
        };
        if (nextWrite) {
          credit += send;
          send = 0;
          for (;;) {
            pending ??= nextWrite();
            if (pending.commands.length > credit) break;
            mark(pending.key);
            for (const [name, ...args] of pending.commands) pipeline.call(name!, ...args);
            credit -= pending.commands.length;
            send += pending.commands.length;
            pending = undefined;
          }
        } else {
          for (let i = 0; i < send; i++) {
            const key = pick();
            mark(key);
            pipeline.set(`key:${key}`, value);
          }
        }
        Atomics.add(counters, C.SENT, send);
        Atomics.add(counters, C.DISTINCT_ALL, distinctAll);
        if (inWindow) {
          Atomics.add(counters, C.SENT_WINDOW, send);
          Atomics.add(counters, C.DISTINCT_WINDOW, distinctWindow);
        }
        if (inflight + send > Atomics.load(counters, C.MAX_INFLIGHT_SEEN)) Atomics.store(counters, C.MAX_INFLIGHT_SEEN, inflight + send);
        pipeline.exec().then(
          (results) => {
            let errors = 0;
            for (const [err] of results ?? []) {
              if (err) {
                errors++;
                firstError ??= err.message;
              }
            }
            Atomics.add(counters, C.ACKED, send - errors);
            Atomics.add(counters, C.ERRORS, errors);
          },
          (err: Error) => {
            firstError ??= err.message;
            Atomics.add(counters, C.ERRORS, send);
          },
        );
      }
      setTimeout(tick, 1);
    };
    tick();
  });

  const deadline = Date.now() + DRAIN_MS;
  while (Atomics.load(counters, C.ACKED) + Atomics.load(counters, C.ERRORS) < Atomics.load(counters, C.SENT) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  redis.disconnect();
  return firstError;
}

/** Draws one write of a dataset of segments: the segment by its share of commands, then a key and an element. */
function segmentWrites(data: WriterWorkerData): () => { key: number; commands: string[][] } {
  const segments = data.segments!;
  const rng = new Rng(data.seed ^ 0x5eed);
  // Ops drawn in proportion to share / commands per op give each segment its share of commands.
  const weights = segments.map((s) => s.commandShare / commandsPerWrite(s.writeOp));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = weights.map((_, i) => weights.slice(0, i + 1).reduce((a, b) => a + b, 0) / total);
  const commands = segments.map((s, i) => new SegmentCommands(s, data.seed + i));
  const pickers: KeyPicker[] = segments.map((s, i) => createKeyPicker({ keys: s.keys, distribution: data.distribution, seed: data.seed + 101 * (i + 1) }));
  return () => {
    const u = rng.next();
    let i = cumulative.findIndex((c) => u < c);
    if (i < 0) i = segments.length - 1;
    const s = segments[i]!;
    const n = pickers[i]!();
    return { key: s.keyOffset + n, commands: commands[i]!.write(n, s.elements > 1 ? rng.below(s.elements) : 0) };
  };
}

run(workerData as WriterWorkerData).then(
  (firstError) => parentPort!.postMessage({ firstError }),
  (err: Error) => parentPort!.postMessage({ firstError: err.message }),
);
