// A resolved scenario told in plain sentences, for the report: what forks, how big it is, what
// writes during the save, how long the child lives, the huge-page and kernel settings and the
// host. Figures come from the summary where the engine derived them (keys, used memory).
import type { EngineSummary as Summary } from '../schemas/result.js';
import { humanBytes, humanCount, humanDuration } from './human-units.js';

const TRIGGER_WORDS: Record<Summary['trigger'], string> = {
  bgsave: 'a BGSAVE (RDB snapshot)',
  'aof-rewrite': 'an AOF rewrite (BGREWRITEAOF)',
  'full-sync': 'a full sync to replicas',
};

function distributionWords(distribution: Summary['scenario']['workload']['keyDistribution']): string {
  switch (distribution.type) {
    case 'uniform':
      return 'spread uniformly over the keys';
    case 'zipf':
      return `Zipf-distributed over the keys (exponent ${distribution.exponent})`;
    case 'hotset':
      return `${(distribution.hotWriteFraction * 100).toFixed(0)}% of them to a hot set of ${(distribution.hotKeyFraction * 100).toFixed(1)}% of the keys`;
    case 'sequential':
      return 'walking the keys in insertion order';
  }
}

export function scenarioSentences(summary: Summary): string[] {
  const s = summary.scenario;
  const sentences: string[] = [];
  const dataset =
    s.dataset.segments !== undefined
      ? `${s.dataset.segments.length} segment${s.dataset.segments.length === 1 ? '' : 's'} of keys (${[...new Set(s.dataset.segments.map((seg) => seg.type))].join(', ')})`
      : `values of ${humanBytes(s.dataset.valueBytes ?? 0)} under ${s.dataset.keyBytes}-byte key names`;
  sentences.push(
    `Redis ${s.redis.version} runs ${TRIGGER_WORDS[summary.trigger]} of ${humanBytes(summary.usedMemoryBytes)} used memory: ${humanCount(summary.keys)} keys, ${dataset}.`,
  );
  if (s.allocator.fragmentationRatio !== undefined) sentences.push(`The heap's fragmentation ratio before the fork is ${Number(s.allocator.fragmentationRatio.toFixed(3))}.`);
  sentences.push(
    s.workload.writesPerSec > 0 || s.workload.writeSchedule !== undefined
      ? `Clients offer ${humanCount(summary.writesPerSecOffered)} writes per second while the child lives, ${distributionWords(s.workload.keyDistribution)}.`
      : 'Nothing writes while the child lives.',
  );
  sentences.push(
    `The child lives ${humanDuration(summary.rdbBgsaveTimeSec)}${summary.forks > 1 ? `; ${summary.forks} forks in the event` : ''}${s.snapshot.secondsSincePreviousFork === 'none' ? '; it is the first fork since a restart, so every page-table entry is writable' : ''}.`,
  );
  const thp =
    s.kernel.thp === 'never'
      ? 'Transparent huge pages are off (never)'
      : s.redis.disableThp
        ? 'Transparent huge pages are set to always, but Redis turns them off for itself (disable-thp yes)'
        : `Transparent huge pages are on (always), and a write to a shared huge page copies ${s.kernel.thpCow === 'copy-2m' ? 'the whole 2 MiB (kernels before 5.8)' : '4 KiB after splitting it (Linux ≥ 5.8)'}`;
  sentences.push(`${thp}; fork and fault costs are the ${s.kernel.platform} preset's unless overridden.`);
  if (summary.trigger === 'full-sync') {
    sentences.push(`${s.replication.replicas} replica${s.replication.replicas === 1 ? '' : 's'} ask for the sync, ${s.replication.diskless ? 'diskless (streamed from the child)' : 'disk-based (through an RDB file)'}.`);
  }
  sentences.push(
    s.host.memoryBytes === undefined
      ? 'No host memory limit was given (host.memoryBytes), so there is nothing to run out of.'
      : `The host is a ${s.host.kind === 'container' ? 'container whose memory.max is' : 'VM with'} ${humanBytes(s.host.memoryBytes)}, of which ${humanBytes(summary.oom.reservedBytes)} is kept for everything else.`,
  );
  return sentences;
}
