// What the write-load worker and its controller share: the worker's options and the layout of
// the counters they both see through one SharedArrayBuffer (read without messages, so the
// 100 ms sampler never waits on the worker).
import type { KeyDistribution } from '../engine/key-distribution.js';
import type { LoadSegment } from './segment-commands.js';

export interface WriterOptions {
  port: number;
  /** Keys the load may write (after fragmentation: the survivors). */
  keys: number;
  /** One more than the largest key number in use (keys named key:0 … key:keySpace-1). */
  keySpace: number;
  /** Key numbers by position when fragmentation deleted some; shared, Uint32. */
  survivors?: SharedArrayBuffer | undefined;
  valueBytes: number;
  distribution: KeyDistribution;
  /** Write commands per second. */
  writesPerSec: number;
  seed: number;
  maxInflight: number;
  /** Keys of several types, each written with its own op; keySpace then counts them all. */
  segments?: LoadSegment[] | undefined;
}

export interface WriterWorkerData extends WriterOptions {
  counters: SharedArrayBuffer;
}

/** Int32 slots of the counters buffer. */
export const C = {
  READY: 0,
  STOP: 1,
  /** 0 before the BGSAVE, 1 while the child lives, 2 after it exited. */
  WINDOW: 2,
  SENT: 3,
  ACKED: 4,
  ERRORS: 5,
  DROPPED: 6,
  DISTINCT_ALL: 7,
  SENT_WINDOW: 8,
  DISTINCT_WINDOW: 9,
  MAX_INFLIGHT_SEEN: 10,
} as const;

export const COUNTER_SLOTS = 11;

export interface WriterCounts {
  sent: number;
  acked: number;
  errors: number;
  dropped: number;
  distinctAll: number;
  sentWindow: number;
  distinctWindow: number;
  maxInflightSeen: number;
}

/** Counts before any write. */
export const ZERO_WRITER_COUNTS: WriterCounts = { sent: 0, acked: 0, errors: 0, dropped: 0, distinctAll: 0, sentWindow: 0, distinctWindow: 0, maxInflightSeen: 0 };

export function readCounts(counters: Int32Array): WriterCounts {
  const at = (slot: number) => Atomics.load(counters, slot);
  return {
    sent: at(C.SENT),
    acked: at(C.ACKED),
    errors: at(C.ERRORS),
    dropped: at(C.DROPPED),
    distinctAll: at(C.DISTINCT_ALL),
    sentWindow: at(C.SENT_WINDOW),
    distinctWindow: at(C.DISTINCT_WINDOW),
    maxInflightSeen: at(C.MAX_INFLIGHT_SEEN),
  };
}
