// Turns a validated scenario into the concrete quantities the simulation runs on: key count,
// memory layout, snapshot length, fork and fault costs, and which kernel/Redis behaviours apply.

import type { Scenario } from '../schemas/scenario.js';
import { DEFAULT_SAVE_THROUGHPUT_BYTES_PER_SEC } from './defaults.js';
import { LIMITS } from './limits.js';
import { EngineError } from './errors.js';
import { PAGE_BYTES } from './jemalloc.js';
import { buildLayout, keysForUsedMemory, type RedisLayout } from './layout.js';
import { platformPreset } from './platforms.js';
import { writeMix, type WriteMix } from './write-mix.js';

/** memcpy of one 4 KiB page on the reference VM (kernel tables): the per-page part of a huge copy. */
const PAGE_COPY_USEC = 0.955;
/** Child's own Private_Dirty with no writes at all (stack, buffers): 0.7–0.8 MiB measured. */
export const CHILD_BASELINE_PRIVATE_BYTES = 768 * 1024;

/** fork() costs in force: the preset's, or the scenario's overrides. */
export interface ForkCosts {
  fixedUsec: number;
  wpUsecPerGiB: number;
  writableUsecPerGiB: number;
  hugeWpUsecPerGiB: number;
  hugeWritableUsecPerGiB: number;
}

export interface ResolvedRun {
  keys: number;
  layout: RedisLayout;
  usedMemoryBytes: number;
  usedMemoryRssBytes: number;
  fragmentationRatio: number;
  durationSec: number;
  /** The process runs on transparent huge pages. */
  hugePagesActive: boolean;
  copyHugePages: boolean;
  copyUnitBytes: number;
  dismiss: boolean;
  /** RSS mapped with 4 KiB pages and with huge pages. */
  smallMappedBytes: number;
  hugeMappedBytes: number;
  forkCosts: ForkCosts;
  cowFaultUsec: number;
  /** Cost of one copy fault in the active copy unit. */
  copyFaultUsec: number;
  platform: string;
  writeMix: WriteMix;
}

export function resolveRun(scenario: Scenario): ResolvedRun {
  const { dataset, kernel, redis } = scenario;
  const keys = dataset.keys ?? keysForUsedMemory(dataset.usedMemoryBytes!, dataset.keyBytes, dataset.valueBytes);
  // THP reaches Redis only when the host says always and Redis does not opt out.
  const hugePagesActive = kernel.thp === 'always' && !redis.disableThp;
  const layout = buildLayout({
    keys,
    keyBytes: dataset.keyBytes,
    valueBytes: dataset.valueBytes,
    fragmentationRatio: scenario.allocator.fragmentationRatio,
    hugePages: hugePagesActive,
  });
  if (layout.usedMemoryBytes > LIMITS.maxUsedMemoryBytes) {
    throw new EngineError(
      'SCENARIO_TOO_LARGE',
      `used memory ${layout.usedMemoryBytes} bytes exceeds the limit of ${LIMITS.maxUsedMemoryBytes} bytes`,
      ['dataset'],
    );
  }
  const usedMemoryBytes = layout.usedMemoryBytes;
  // RSS cannot be smaller than the pages the heap occupies (there is no swap in this model).
  const usedMemoryRssBytes = Math.round(
    Math.max(layout.compactRssBytes, usedMemoryBytes * (scenario.allocator.fragmentationRatio ?? 0)),
  );
  const fragmentationRatio = usedMemoryRssBytes / usedMemoryBytes;
  const durationSec =
    scenario.snapshot.durationSec ??
    usedMemoryBytes / (scenario.snapshot.throughputBytesPerSec ?? DEFAULT_SAVE_THROUGHPUT_BYTES_PER_SEC);
  if (durationSec > LIMITS.maxDurationSec) {
    throw new EngineError('SCENARIO_TOO_LARGE', `snapshot of ${durationSec.toFixed(0)} s exceeds ${LIMITS.maxDurationSec} s`, [
      'snapshot',
      'throughputBytesPerSec',
    ]);
  }

  const preset = platformPreset(kernel.platform);
  // An override of the 4 KiB cost scales the preset's other costs with it.
  const scale = (kernel.forkUsecPerGiB ?? preset.forkUsecPerGiB) / preset.forkUsecPerGiB;
  const hugeWpUsecPerGiB = kernel.forkUsecPerGiBHuge ?? preset.forkUsecPerGiBHuge * scale;
  const forkCosts: ForkCosts = {
    fixedUsec: preset.forkFixedUsec,
    wpUsecPerGiB: preset.forkUsecPerGiB * scale,
    writableUsecPerGiB: kernel.forkWritableUsecPerGiB ?? preset.forkWritableUsecPerGiB * scale,
    hugeWpUsecPerGiB,
    hugeWritableUsecPerGiB: hugeWpUsecPerGiB * (preset.forkWritableUsecPerGiBHuge / preset.forkUsecPerGiBHuge),
  };
  // What huge pages cannot cover: the binary, libraries, stacks and allocator metadata.
  const smallMappedBytes = hugePagesActive
    ? Math.max(0, usedMemoryRssBytes - layout.heapPages * PAGE_BYTES)
    : usedMemoryRssBytes;
  const hugeMappedBytes = usedMemoryRssBytes - smallMappedBytes;
  const cowFaultUsec = kernel.cowFaultUsec ?? preset.cowFaultUsec;
  const copyHugePages = hugePagesActive && kernel.thpCow === 'copy-2m';
  return {
    keys,
    layout,
    usedMemoryBytes,
    usedMemoryRssBytes,
    fragmentationRatio,
    durationSec,
    hugePagesActive,
    copyHugePages,
    copyUnitBytes: copyHugePages ? 2 * 1024 * 1024 : PAGE_BYTES,
    // PR #8974: Redis 7 only, and skipped when THP is on for the process.
    dismiss: redis.version === '7.0' && !hugePagesActive,
    smallMappedBytes,
    hugeMappedBytes,
    forkCosts,
    cowFaultUsec,
    copyFaultUsec: copyHugePages ? cowFaultUsec + 511 * PAGE_COPY_USEC : cowFaultUsec,
    platform: preset.id,
    writeMix: writeMix({
      keys,
      distribution: scenario.workload.keyDistribution,
      newKeyFraction: scenario.workload.newKeyFraction,
      deleteFraction: scenario.workload.deleteFraction,
    }),
  };
}
