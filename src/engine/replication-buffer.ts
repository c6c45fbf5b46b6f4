// The master's memory for the replication stream, in the blocks Redis allocates it in.
//
// 7.0 (PR #9166): one list of blocks shared by the backlog and every replica
// (`src/replication.c` feedReplicationBuffer). A block is zmalloc_usable(max(len, 16 KiB) +
// sizeof(replBufBlock)); a 1 KiB write never needs more than the 16 KiB minimum, so each block
// is jemalloc's 20 KiB class. `repl_buffer_mem` (INFO `mem_total_replication_buffers`) adds the
// usable size plus a listNode per block; a replica's usage (CLIENT LIST `omem`,
// `src/networking.c` getClientOutputBufferMemoryUsage) is its blocks' `size` plus
// sizeof(listNode) + sizeof(replBufBlock) each — the same 20,480 + 24 B per block.
// Measured: omem 8,406,640 = 410 × 20,504 at each disconnect (disk-sync-obuf-loop.json),
// settled buffer 1,066,208 = 52 × 20,504 (disk-sync.json).
//
// 6.2 (6.2.16 `src/replication.c` replicationFeedSlaves): the backlog is one circular buffer
// allocated whole at repl-backlog-size (createReplicationBacklog), and every fed replica gets
// its own copy in its reply list (`src/networking.c` _addReplyProtoToList: blocks of
// max(len, PROTO_REPLY_CHUNK_BYTES) + sizeof(clientReplyBlock), usage = reply_bytes plus
// listNode + clientReplyBlock per block). Not modelled: the first 16 KiB a 6.2 replica gets goes
// to its static `c->buf`, outside `omem`.
import { sizeClass } from './jemalloc.js';

export type RedisVersion = '6.2' | '7.0';

/** PROTO_REPLY_CHUNK_BYTES, `src/server.h`: the smallest block either version allocates. */
export const PROTO_REPLY_CHUNK_BYTES = 16 * 1024;
/** sizeof(listNode), `src/adlist.h`: three pointers. */
export const LIST_NODE_BYTES = 24;
/** sizeof(replBufBlock), 7.0 `src/server.h`: int refcount (padded), id, repl_offset, size, used. */
export const REPL_BUF_BLOCK_HEADER_BYTES = 40;
/** sizeof(clientReplyBlock), 6.2 `src/server.h`: size, used. */
export const CLIENT_REPLY_BLOCK_HEADER_BYTES = 16;
/** repl-backlog-size default, `src/config.c`. */
export const DEFAULT_BACKLOG_BYTES = 1024 * 1024;

export interface BlockGeometry {
  /** Stream bytes one block holds (its `size`). */
  payloadBytes: number;
  /** What one block counts in `omem` and in the buffer's memory: usable size + listNode. */
  accountedBytes: number;
}

/** The block a write of `writeBytes` lands in, when it does not fit the tail's free space. */
export function blockGeometry(version: RedisVersion, writeBytes: number): BlockGeometry {
  const header = version === '7.0' ? REPL_BUF_BLOCK_HEADER_BYTES : CLIENT_REPLY_BLOCK_HEADER_BYTES;
  // Writes larger than a chunk get a block of their own size; a stream of them is not modelled
  // block by block, only with the geometry of one such block.
  const usable = sizeClass(Math.max(writeBytes, PROTO_REPLY_CHUNK_BYTES) + header);
  return { payloadBytes: usable - header, accountedBytes: usable + LIST_NODE_BYTES };
}

/** Blocks a run of `streamBytes` occupies: each block is filled before the next is added. */
export function blocksFor(geometry: BlockGeometry, streamBytes: number): number {
  return streamBytes <= 0 ? 0 : Math.ceil(streamBytes / geometry.payloadBytes);
}

/** A replica's usage as checked against client-output-buffer-limit. */
export function replicaUsageBytes(geometry: BlockGeometry, heldStreamBytes: number): number {
  return blocksFor(geometry, heldStreamBytes) * geometry.accountedBytes;
}

/** The backlog's side of the buffer: what the replicas hold is added to it. */
export interface BacklogState {
  version: RedisVersion;
  geometry: BlockGeometry;
  /** repl-backlog-size. */
  backlogBytes: number;
  /** Whether the first SYNC has created the backlog. */
  backlogCreated: boolean;
  /** Stream bytes since the backlog was created. */
  streamSinceBacklogBytes: number;
}

export interface ReplicationMemoryInput extends BacklogState {
  /** Stream bytes each fed replica still holds (one entry per replica). */
  replicaHeldBytes: readonly number[];
}

function backlogBlocks(state: BacklogState): number {
  return state.backlogCreated ? blocksFor(state.geometry, Math.min(state.streamSinceBacklogBytes, state.backlogBytes)) : 0;
}

/**
 * `mem_total_replication_buffers`: 7.0 one copy — the blocks from the oldest still referenced
 * (by the slowest replica or the backlog) to the tail; 6.2 the whole backlog plus a copy per replica.
 */
export function replicationBufferBytes(input: ReplicationMemoryInput): number {
  const { geometry } = input;
  if (input.version === '7.0') {
    const replicaBlocks = input.replicaHeldBytes.reduce((most, held) => Math.max(most, blocksFor(geometry, held)), 0);
    return Math.max(backlogBlocks(input), replicaBlocks) * geometry.accountedBytes;
  }
  const backlog = input.backlogCreated ? input.backlogBytes : 0;
  return input.replicaHeldBytes.reduce((sum, held) => sum + replicaUsageBytes(geometry, held), backlog);
}

/** The same for `replicas` replicas that each hold `heldBytes`, with no list to build per call. */
export function alikeReplicasBufferBytes(state: BacklogState, replicas: number, heldBytes: number): number {
  if (state.version === '7.0') {
    const replicaBlocks = replicas > 0 ? blocksFor(state.geometry, heldBytes) : 0;
    return Math.max(backlogBlocks(state), replicaBlocks) * state.geometry.accountedBytes;
  }
  return (state.backlogCreated ? state.backlogBytes : 0) + replicas * replicaUsageBytes(state.geometry, heldBytes);
}

/** 7.0 raises a replica hard limit below repl-backlog-size to it (checkClientOutputBufferLimits). */
export function effectiveHardLimitBytes(version: RedisVersion, hardBytes: number, backlogBytes: number): number {
  if (hardBytes <= 0) return 0;
  return version === '7.0' ? Math.max(hardBytes, backlogBytes) : hardBytes;
}
