import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { alikeReplicasBufferBytes, blockGeometry, blocksFor, effectiveHardLimitBytes, replicaUsageBytes, replicationBufferBytes } from './replication-buffer.js';

const MiB = 1024 * 1024;

describe('replication buffer blocks', () => {
  it('are 20,480 + 24 B each in omem for small writes, on both versions', () => {
    expect(blockGeometry('7.0', 1063)).toEqual({ payloadBytes: 20480 - 40, accountedBytes: 20504 });
    expect(blockGeometry('6.2', 1063)).toEqual({ payloadBytes: 20480 - 16, accountedBytes: 20504 });
  });

  it('give the measured 8,406,640 B omem: the first block past an 8 MiB hard limit', () => {
    const geometry = blockGeometry('7.0', 1063);
    const blocks = Math.ceil((8 * MiB) / geometry.accountedBytes);
    expect(blocks).toBe(410);
    expect(blocks * geometry.accountedBytes).toBe(8406640);
    expect(replicaUsageBytes(geometry, 410 * geometry.payloadBytes)).toBe(8406640);
    expect(replicaUsageBytes(geometry, 410 * geometry.payloadBytes + 1)).toBe(8406640 + 20504);
  });

  it('fill each block before adding the next', () => {
    const geometry = blockGeometry('7.0', 1063);
    expect(blocksFor(geometry, 0)).toBe(0);
    expect(blocksFor(geometry, 1)).toBe(1);
    expect(blocksFor(geometry, geometry.payloadBytes)).toBe(1);
    expect(blocksFor(geometry, geometry.payloadBytes + 1)).toBe(2);
  });

  it('settle at the backlog: 52 blocks for 1 MiB (measured 1,066,208 B)', () => {
    const geometry = blockGeometry('7.0', 1063);
    expect(replicationBufferBytes({ version: '7.0', geometry, backlogBytes: MiB, backlogCreated: true, streamSinceBacklogBytes: 50 * MiB, replicaHeldBytes: [0] })).toBe(1066208);
  });
});

describe('one copy on 7.0, a copy per replica on 6.2', () => {
  const held = 20 * MiB;
  const at = (version: '6.2' | '7.0', replicas: number) =>
    replicationBufferBytes({ version, geometry: blockGeometry(version, 1063), backlogBytes: MiB, backlogCreated: true, streamSinceBacklogBytes: held, replicaHeldBytes: new Array(replicas).fill(held) });

  it('7.0 does not grow with replicas', () => {
    expect(at('7.0', 3)).toBe(at('7.0', 1));
    expect(at('7.0', 1)).toBe(Math.ceil(held / (20480 - 40)) * 20504);
  });

  it('6.2 holds the whole backlog plus one copy per replica', () => {
    const one = Math.ceil(held / (20480 - 16)) * 20504;
    expect(at('6.2', 1)).toBe(MiB + one);
    expect(at('6.2', 3)).toBe(MiB + 3 * one);
  });

  it('7.0 raises a replica hard limit below the backlog to it; 0 stays off', () => {
    expect(effectiveHardLimitBytes('7.0', MiB / 2, MiB)).toBe(MiB);
    expect(effectiveHardLimitBytes('6.2', MiB / 2, MiB)).toBe(MiB / 2);
    expect(effectiveHardLimitBytes('7.0', 0, MiB)).toBe(0);
  });
});

describe('replicas that all hold the same stream', () => {
  fcTest.prop(
    [fc.constantFrom<'6.2' | '7.0'>('6.2', '7.0'), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 64 * MiB }), fc.integer({ min: 0, max: 64 * MiB }), fc.boolean()],
    { numRuns: 200 },
  )('cost what the same replicas listed one by one cost', (version, replicas, heldBytes, streamSinceBacklogBytes, backlogCreated) => {
    const state = { version, geometry: blockGeometry(version, 1063), backlogBytes: MiB, backlogCreated, streamSinceBacklogBytes };
    expect(alikeReplicasBufferBytes(state, replicas, heldBytes)).toBe(replicationBufferBytes({ ...state, replicaHeldBytes: new Array<number>(replicas).fill(heldBytes) }));
  });
});
