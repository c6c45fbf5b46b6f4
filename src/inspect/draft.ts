// A scenario drafted from what an instance shows of itself — INFO, CONFIG GET, a key sample —
// with a provenance entry for each field: measured (read as is), derived (computed from
// readings) or assumed (a default the instance cannot show, with what to set instead).
import { DEFAULT_KEY_BYTES, DEFAULT_PLATFORM } from '../engine/defaults.js';
import { keysForUsedMemory, REDIS_STARTUP_USED_MEMORY_BYTES } from '../engine/layout.js';
import { LIMITS } from '../engine/limits.js';
import { round } from '../engine/numbers.js';
import { platformPreset } from '../engine/platforms.js';
import type { SegmentType } from '../schemas/dataset.js';
import type { InspectReport, LastSave } from '../schemas/inspect.js';
import { ScenarioSchema, type ScenarioInput } from '../schemas/scenario.js';
import {
  configValue,
  ENCODING_DEFAULTS,
  parseReplicaOutputBufferLimit,
  parseSaveRules,
  parseYesNo,
  saveIntervalSec,
  type ConfigReading,
  type EncodingSetting,
} from './config-settings.js';
import { InspectError } from './errors.js';
import { infoNumber, redisVersionOf, totalKeys, type InfoText } from './info-text.js';
import { clusterSample, type KeyCluster } from './key-clusters.js';
import type { SampledKey } from './sampled-key.js';
import { WRITE_COMMANDS, writeRates, type WriteRates, type WriteTarget } from './write-commands.js';

type Source = 'measured' | 'derived' | 'assumed';
interface ProvenanceEntry {
  source: Source;
  from?: string;
  note?: string;
}

export interface KeySample {
  keys: SampledKey[];
  /** Keys per database (DBSIZE) and keys read from it. */
  dbKeys: Record<number, { keys: number; sampled: number }>;
  /** Keys idle less than this count as recently accessed: the observation window. */
  accessWindowSec: number;
}

export interface InspectInput {
  source: 'live' | 'info';
  /** Where the figures come from, for the scenario's name: `host:port`, a file name. */
  label?: string;
  /** INFO (all sections), read last. */
  info: InfoText;
  /** An earlier commandstats reading: the rates are the difference. Absent: lifetime averages. */
  earlier?: { info: InfoText; elapsedSec: number };
  /** CONFIG GET's answers; absent when not asked (a pasted INFO). */
  config?: ConfigReading;
  sample?: KeySample;
  /** MEMORY STATS, its numeric top-level fields. */
  memoryStats?: Record<string, number>;
}

const GiB = 2 ** 30;
const MiB = 2 ** 20;
/** Fork of an empty process (the reference VM's): what latest_fork_usec holds besides page tables. */
const FORK_FIXED_USEC = platformPreset('reference-kvm').forkFixedUsec;
/** The smallest RSS of the kernel tables' linear fork-time fits: below it, the per-GiB figure is noise and fixed cost. */
const MIN_RSS_FOR_FORK_HINT_BYTES = 256 * MiB;

class Draft {
  readonly scenario: Record<string, unknown> = {};
  readonly provenance: Record<string, ProvenanceEntry> = {};
  readonly toSet: string[] = [];

  set(path: string, value: unknown, source: Source, from?: string, note?: string): void {
    const parts = path.split('.');
    let node = this.scenario;
    for (let i = 0; i < parts.length - 1; i++) {
      node[parts[i]!] ??= /^\d+$/.test(parts[i + 1]!) ? [] : {};
      node = node[parts[i]!] as Record<string, unknown>;
    }
    node[parts.at(-1)!] = value;
    this.record(path, source, from, note);
  }

  /** Provenance of a field left at its default. */
  record(path: string, source: Source, from?: string, note?: string): void {
    this.provenance[path] = { source, ...(from === undefined ? {} : { from }), ...(note === undefined ? {} : { note }) };
  }
}

const fmt = (n: number, digits = 1) => String(round(n, digits));
const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/** The engine knows 6.2 and 7.0; later versions save as 7.0 does (dismiss, CoW peak). */
function versionField(info: InfoText, draft: Draft): string | null {
  const v = redisVersionOf(info);
  const text = info.fields.redis_version ?? null;
  if (!v) {
    draft.record('redis.version', 'assumed', undefined, 'INFO has no redis_version: the engine’s default');
    return text;
  }
  const engine = v[0] >= 7 ? '7.0' : '6.2';
  const exact = (v[0] === 7 && v[1] === 0) || (v[0] === 6 && v[1] === 2);
  draft.set(
    'redis.version',
    engine,
    exact ? 'measured' : 'derived',
    'INFO server redis_version',
    exact ? undefined : `${text}: simulated as ${engine}, the nearest version the engine models`,
  );
  return text;
}

function rates(input: InspectInput): { rates: WriteRates; windowSec: number; lifetime: boolean } {
  if (input.earlier) {
    return { rates: writeRates(input.earlier.info.commandStats, input.info.commandStats, input.earlier.elapsedSec), windowSec: input.earlier.elapsedSec, lifetime: false };
  }
  const uptime = Math.max(1, infoNumber(input.info, 'uptime_in_seconds') ?? 1);
  return { rates: writeRates({}, input.info.commandStats, uptime), windowSec: uptime, lifetime: true };
}

const WRITE_OPS: Record<SegmentType, string> = { string: 'SET', hash: 'HSET', set: 'SREM+SADD', zset: 'ZINCRBY', list: 'LPUSH+RPOP' };

function bandLabel(c: KeyCluster): string {
  const lo = 2 ** c.bands.from;
  const hi = 2 ** (c.bands.to + 1) - 1;
  const unit = c.type === 'string' ? 'B' : 'elements';
  return lo === 1 && c.type === 'string' ? `≤ ${hi} ${unit}` : `${lo}–${hi} ${unit}`;
}

/** Writes per second each cluster takes: its type's, over its type's clusters, plus DEL/EXPIRE-like writes by key count. */
function clusterWrites(clusters: readonly KeyCluster[], r: WriteRates): { perSec: number[]; how: Map<SegmentType, string>; orphanPerSec: number } {
  const perSec = clusters.map(() => 0);
  const how = new Map<SegmentType, string>();
  let spread = r.byTarget.generic;
  let orphanPerSec = 0;
  for (const type of ['string', 'hash', 'set', 'zset', 'list'] as const) {
    const rate = r.byTarget[type];
    if (rate <= 0) continue;
    const members = clusters.map((c, i) => ({ c, i })).filter(({ c }) => c.type === type);
    if (members.length === 0) {
      orphanPerSec += rate;
      spread += rate;
      continue;
    }
    // A segment whose keys were accessed lately takes the writes: uniform access at rate a over
    // K keys leaves a share 1 − e^(−a·T/K) of them idle less than T, so a ∝ −K·ln(1 − share).
    const byAccess = members.every(({ c }) => c.idle.known > 0) && members.some(({ c }) => c.idle.recent > 0);
    // Half a recent key added to each (a Jeffreys prior) keeps a segment with all or none of its keys recent finite.
    const weights = members.map(({ c }) => (byAccess ? -c.keys * Math.log(1 - (c.idle.recent + 0.5) / (c.idle.known + 1)) : c.keys));
    const total = weights.reduce((s, w) => s + w, 0);
    members.forEach(({ i }, j) => (perSec[i]! += (rate * weights[j]!) / total));
    how.set(type, members.length === 1 ? 'its type’s' : byAccess ? 'recent access' : 'key count');
  }
  const keys = clusters.reduce((s, c) => s + c.keys, 0);
  if (spread > 0) clusters.forEach((c, i) => (perSec[i]! += (spread * c.keys) / keys));
  return { perSec, how, orphanPerSec };
}

function commandsOf(r: WriteRates, target: WriteTarget): string {
  const names = Object.entries(r.byCommand)
    .filter(([name]) => WRITE_COMMANDS.get(name) === target)
    .sort((a, b) => b[1] - a[1])
    .map(([name, rate]) => `${name.toUpperCase()} ${fmt(rate)}/s`);
  return names.length > 0 ? names.join(', ') : 'none';
}

function segmentsFromSample(sample: KeySample, r: WriteRates, draft: Draft): { findings: InspectReport['segments']; unmodelled: InspectReport['unmodelled']; sampledBytes: number | null } {
  const { clusters, unmodelled } = clusterSample(sample.keys, { accessWindowSec: sample.accessWindowSec, dbKeys: sample.dbKeys });
  const writes = clusterWrites(clusters, r);
  const total = r.modelledPerSec;
  const n = sample.keys.length;
  const complete = Object.values(sample.dbKeys).every((db) => db.sampled >= db.keys);
  const findings: InspectReport['segments'] = [];
  clusters.forEach((c, i) => {
    const at = `dataset.segments.${i}`;
    const name = `${c.type} ${c.encoding} ${bandLabel(c)}`.slice(0, 100);
    draft.set(`${at}.type`, c.type, 'measured', 'TYPE');
    draft.set(`${at}.name`, name, 'derived', 'TYPE, OBJECT ENCODING and the size band of the sampled keys');
    const keys = Math.max(1, Math.round(c.keys));
    draft.set(
      `${at}.keys`,
      keys,
      complete ? 'measured' : 'derived',
      complete ? 'SCAN of every key' : `${c.sampledKeys} of ${n} keys sampled by SCAN, scaled by DBSIZE`,
      complete ? undefined : `± ${Math.round(c.keysStdErr)} (one standard error of the sampling)`,
    );
    draft.set(`${at}.keyBytes`, clamp(Math.round(c.keyBytes), 1, LIMITS.maxKeyBytes), 'measured', 'mean key name length of the sampled keys');
    if (c.type === 'string') {
      draft.set(`${at}.valueBytes`, clamp(Math.round(c.valueBytes), 1, LIMITS.maxValueBytes), 'measured', 'mean STRLEN of the sampled keys');
      const encoding = ['int', 'embstr', 'raw'].includes(c.encoding) ? c.encoding : 'auto';
      draft.set(`${at}.valueEncoding`, encoding, 'measured', 'OBJECT ENCODING');
    } else {
      const length = { hash: 'HLEN', set: 'SCARD', zset: 'ZCARD', list: 'LLEN' }[c.type];
      draft.set(`${at}.elements`, clamp(Math.round(c.elements), 1, LIMITS.maxElementsPerKey), 'measured', `mean ${length} of the sampled keys`);
      const minElementBytes = c.type === 'hash' ? 2 : 1;
      if (c.type === 'set' && c.encoding === 'intset') {
        draft.set(`${at}.intMembers`, true, 'measured', 'OBJECT ENCODING intset');
        draft.set(`${at}.elementBytes`, c.intWidthBytes ?? 8, c.intWidthBytes ? 'derived' : 'assumed', 'the width the largest SRANDMEMBER member needs (intset encodings 2, 4, 8 bytes)');
      } else if (c.elementBytes > 0) {
        const read = { hash: 'HRANDFIELD … WITHVALUES (field + value)', set: 'SRANDMEMBER', zset: 'ZRANDMEMBER', list: 'LRANGE 0 0 and -1 -1' }[c.type];
        draft.set(`${at}.elementBytes`, clamp(Math.round(c.elementBytes), minElementBytes, LIMITS.maxElementBytes), 'measured', `mean length of random elements: ${read}`);
      } else {
        const perElement = c.memoryBytes !== undefined ? c.memoryBytes / c.keys / Math.max(1, c.elements) : 16;
        draft.set(
          `${at}.elementBytes`,
          clamp(Math.round(perElement), minElementBytes, LIMITS.maxElementBytes),
          c.memoryBytes !== undefined ? 'derived' : 'assumed',
          'MEMORY USAGE per element',
          'the random-element commands were refused (Redis < 6.2); this includes per-element overhead',
        );
      }
    }
    if (c.ttl && c.ttl.share > 0) {
      const from = Math.min(Math.floor(c.ttl.fromSec), LIMITS.maxTtlSec - 1);
      const to = clamp(Math.ceil(c.ttl.toSec), from + 1, LIMITS.maxTtlSec);
      draft.set(`${at}.ttl`, { share: round(c.ttl.share, 4), remainingSec: { from, to } }, 'measured', 'PTTL of the sampled keys: the share with an expiry, their lowest and highest remaining seconds');
    }
    const perSec = writes.perSec[i]!;
    if (total > 0) {
      const how = writes.how.get(c.type);
      draft.set(
        `${at}.writeShare`,
        Math.floor((perSec / total) * 1e6) / 1e6,
        'derived',
        `INFO commandstats: ${c.type} writes (${commandsOf(r, c.type)})${how === 'recent access' ? `, over the ${c.type} segments by their keys accessed in the last ${sample.accessWindowSec} s (OBJECT IDLETIME)` : how === 'key count' ? `, over the ${c.type} segments by key count` : ''}; DEL, EXPIRE and the like by key count`,
        how === 'recent access' ? 'reads touch keys too: where reads and writes go to different segments, set writeShare yourself' : undefined,
      );
    }
    if (perSec > 0) {
      const op = c.type === 'string' && c.encoding === 'int' && r.countersPerSec > 0 ? 'INCR' : WRITE_OPS[c.type];
      draft.set(`${at}.writeOp`, op, 'assumed', undefined, `the engine’s write of a ${c.type}; INFO showed ${commandsOf(r, c.type)}`);
    }
    findings.push({ name, type: c.type, encoding: c.encoding, keys, keysStdErr: round(c.keysStdErr, 1), sampledKeys: c.sampledKeys, memoryBytes: c.memoryBytes === undefined ? null : Math.round(c.memoryBytes), writesPerSec: round(perSec, 2) });
  });
  if (writes.orphanPerSec > 0) {
    draft.toSet.push(`${fmt(writes.orphanPerSec)} writes/s go to key types the sample did not find (keys created and deleted between reads, or too rare to sample); they are spread over the segments by key count.`);
  }
  const memories = [...clusters.map((c) => c.memoryBytes), ...unmodelled.map((u) => u.memoryBytes)];
  const sampledBytes = memories.every((m) => m !== undefined) ? Math.round(memories.reduce((s, m) => s + m!, 0)) : null;
  return {
    findings,
    unmodelled: unmodelled.map((u) => ({ ...u, keys: Math.round(u.keys), memoryBytes: u.memoryBytes === undefined ? null : Math.round(u.memoryBytes) })),
    sampledBytes,
  };
}

/** Bytes the keys hold by INFO: used_memory less the server's own startup, buffers and backlog. */
function keyspaceBytes(info: InfoText): number | undefined {
  const used = infoNumber(info, 'used_memory');
  if (used === undefined) return undefined;
  const besides = ['used_memory_startup', 'mem_replication_backlog', 'mem_clients_slaves', 'mem_clients_normal', 'mem_aof_buffer'].reduce(
    (s, f) => s + (infoNumber(info, f) ?? 0),
    0,
  );
  return Math.max(0, used - besides);
}

/** The one string-segment shorthand from INFO alone: all keys strings of the size used_memory implies. */
function datasetFromInfo(info: InfoText, keys: number, draft: Draft): void {
  draft.set('dataset.keys', keys, 'measured', 'INFO keyspace: keys over every database');
  draft.record('dataset.keyBytes', 'assumed', undefined, `${DEFAULT_KEY_BYTES} bytes, the default: INFO does not show key names`);
  const bytes = keyspaceBytes(info);
  // The largest value size whose engine layout fits `keys` into the keys' memory.
  let valueBytes = 1;
  if (bytes !== undefined) {
    const usedMemory = bytes + REDIS_STARTUP_USED_MEMORY_BYTES;
    let lo = 1;
    let hi = LIMITS.maxValueBytes;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (keysForUsedMemory(usedMemory, DEFAULT_KEY_BYTES, mid) >= keys) lo = mid;
      else hi = mid - 1;
    }
    valueBytes = lo;
  }
  draft.set(
    'dataset.valueBytes',
    valueBytes,
    bytes === undefined ? 'assumed' : 'derived',
    'INFO used_memory less used_memory_startup, client buffers and the replication backlog, per key, through the engine’s layout of a string key',
    'INFO alone does not show key types: every key is taken for a string of this size. Run `forkcast inspect redis://…` against the instance for its segments.',
  );
  draft.toSet.push('dataset: INFO shows the key count and memory, not the key types; the draft holds strings of the mean size. `forkcast inspect redis://host:port` samples the keys for segments by type and encoding.');
}

function configFields(input: InspectInput, draft: Draft, info: InfoText): void {
  const reading = input.config;
  const values = reading && 'values' in reading ? reading.values : undefined;
  const refusedWhy = reading && 'refused' in reading ? `CONFIG GET refused (${reading.refused}): renamed or disabled, as on managed services` : 'no CONFIG GET (INFO text only)';
  const fromConfig = (name: string) => (values ? configValue(values, name) : undefined);
  const assumeNote = (what: string) => `${refusedWhy}; ${what}. Set it from your configuration or provider’s parameter group.`;

  for (const name of Object.keys(ENCODING_DEFAULTS) as EncodingSetting[]) {
    const raw = fromConfig(name);
    const n = raw === undefined ? NaN : Number(raw);
    const bound = name === 'list-max-listpack-size' ? [-5, LIMITS.maxElementsPerKey] : [0, name.endsWith('-value') ? LIMITS.maxElementBytes : LIMITS.maxElementsPerKey];
    if (Number.isInteger(n) && (n !== 0 || name !== 'list-max-listpack-size')) {
      draft.set(`redis.config.${name}`, clamp(n, bound[0]!, bound[1]!), 'measured', `CONFIG GET ${name}`);
    } else {
      draft.set(`redis.config.${name}`, ENCODING_DEFAULTS[name], 'assumed', undefined, assumeNote(`Redis’s built-in default (src/config.c)`));
    }
  }

  const save = fromConfig('save');
  const rules = save === undefined ? undefined : parseSaveRules(save);
  if (rules) draft.set('redis.saveConfigured', rules.length > 0, 'measured', 'CONFIG GET save');
  else draft.record('redis.saveConfigured', 'assumed', undefined, assumeNote('a save rule is taken to be in force'));

  const yesNo = (name: string, path: string, infoField?: string, infoTrue?: string) => {
    const v = parseYesNo(fromConfig(name));
    if (v !== undefined) return draft.set(path, v, 'measured', `CONFIG GET ${name}`);
    if (infoField && info.fields[infoField] !== undefined) return draft.set(path, info.fields[infoField] === infoTrue, 'measured', `INFO ${infoField}`);
    draft.record(path, 'assumed', undefined, assumeNote('the engine’s default'));
  };
  yesNo('disable-thp', 'redis.disableThp');
  yesNo('rdb-save-incremental-fsync', 'redis.rdbSaveIncrementalFsync');
  yesNo('repl-diskless-sync', 'replication.diskless');

  const hz = infoNumber(info, 'configured_hz') ?? infoNumber(info, 'hz');
  if (hz !== undefined && hz >= 1) draft.set('redis.hz', clamp(Math.round(hz), 1, 500), 'measured', `INFO ${info.fields.configured_hz !== undefined ? 'configured_hz' : 'hz'}`);

  const delay = Number(fromConfig('repl-diskless-sync-delay'));
  if (fromConfig('repl-diskless-sync-delay') !== undefined && Number.isInteger(delay)) {
    draft.set('replication.disklessSyncDelaySec', clamp(delay, 0, 3600), 'measured', 'CONFIG GET repl-diskless-sync-delay');
  }
  const backlog = Number(fromConfig('repl-backlog-size') ?? info.fields.repl_backlog_size);
  if (Number.isInteger(backlog) && backlog >= 16 * 1024) {
    draft.set('replication.backlogBytes', backlog, 'measured', fromConfig('repl-backlog-size') !== undefined ? 'CONFIG GET repl-backlog-size' : 'INFO repl_backlog_size');
  }
  const cobl = fromConfig('client-output-buffer-limit');
  const limit = cobl === undefined ? undefined : parseReplicaOutputBufferLimit(cobl);
  if (limit) draft.set('replication.outputBufferLimit', limit, 'measured', 'CONFIG GET client-output-buffer-limit (replica class)');
  else draft.record('replication.outputBufferLimit', 'assumed', undefined, assumeNote('Redis’s default replica limit, 256mb 64mb 60'));

  const appendonly = parseYesNo(fromConfig('appendonly')) ?? (info.fields.aof_enabled !== undefined ? info.fields.aof_enabled === '1' : undefined);
  if (appendonly) {
    const preamble = fromConfig('aof-use-rdb-preamble');
    draft.toSet.push(
      `snapshot.trigger: appendonly is on, so AOF rewrites fork too${preamble === 'no' ? ' (aof-use-rdb-preamble no: a rewrite writes commands, not an RDB, which the engine does not model)' : ''}; forecast one with "trigger": "aof-rewrite".`,
    );
  }
  const maxmemory = Number(fromConfig('maxmemory') ?? info.fields.maxmemory);
  const policy = fromConfig('maxmemory-policy') ?? info.fields.maxmemory_policy;
  if (maxmemory > 0) {
    draft.toSet.push(
      `host.memoryBytes: maxmemory is ${maxmemory} bytes (${policy ?? 'policy unknown'}); copy-on-write and buffers come on top of it, so the limit that matters is the host’s or container’s, not maxmemory.`,
    );
  }
  if (!values) draft.toSet.push(`redis.config, redis.saveConfigured, replication: ${refusedWhy}; the draft takes Redis’s defaults for what INFO does not show.`);
}

function workloadFields(input: InspectInput, r: WriteRates, windowSec: number, lifetime: boolean, draft: Draft): void {
  const from = lifetime
    ? `INFO commandstats calls / uptime_in_seconds (${Math.round(windowSec)} s)`
    : `INFO commandstats, two readings ${fmt(windowSec, 2)} s apart`;
  draft.set(
    'workload.writesPerSec',
    clamp(round(r.modelledPerSec, 2), 0, LIMITS.maxWritesPerSec),
    lifetime ? 'derived' : 'measured',
    from,
    `write commands only (one call counts once, MSET and multi-field HSET included)${lifetime ? '; the average since the start or the last CONFIG RESETSTAT, not the current rate: inspect the live instance for that' : ''}${r.byTarget.stream > 0 ? `; ${fmt(r.byTarget.stream)} stream writes/s left out (streams are not modelled)` : ''}`,
  );
  if (r.modelledPerSec > 0 && r.deletesPerSec > 0) {
    draft.set('workload.deleteFraction', round(Math.min(1, r.deletesPerSec / r.modelledPerSec), 4), 'derived', 'INFO commandstats DEL, UNLINK, GETDEL calls / write calls');
  }
  draft.record(
    'workload.keyDistribution',
    'assumed',
    undefined,
    'INFO counts commands, not the keys they hit: the skew of the writes cannot be seen. Uniform (the default) spreads them over the most distinct keys, so the most pages are copied for a given rate.',
  );
  draft.toSet.push(
    'workload.keyDistribution: the write skew cannot be seen from INFO; the draft assumes uniform, the most copy-on-write for its rate. If a few keys take most writes, set { "type": "zipf", "exponent": 0.99 } or { "type": "hotset", "hotKeyFraction": 0.01, "hotWriteFraction": 0.9 } with your own figures.',
  );
  const keysNow = totalKeys(input.info);
  if (input.earlier) {
    const net = (keysNow - totalKeys(input.earlier.info)) / windowSec;
    draft.record(
      'workload.newKeyFraction',
      'assumed',
      undefined,
      `INFO cannot tell a write that creates a key from one that overwrites; the keys changed by ${fmt(net, 2)}/s in the window (expired_keys and evicted_keys included)`,
    );
  } else {
    draft.record('workload.newKeyFraction', 'assumed', undefined, 'INFO cannot tell a write that creates a key from one that overwrites');
  }
  if (input.earlier) {
    const offset = (infoNumber(input.info, 'master_repl_offset') ?? 0) - (infoNumber(input.earlier.info, 'master_repl_offset') ?? 0);
    const writes = r.modelledPerSec * windowSec;
    if (offset > 0 && writes >= 1) {
      draft.set(
        'workload.replicationBytesPerWrite',
        clamp(Math.round(offset / writes), 1, LIMITS.maxValueBytes * 2),
        'derived',
        'INFO master_repl_offset growth / write commands in the window',
        'the stream’s own PINGs and SELECTs are included',
      );
    }
  }
  draft.record('workload.serviceUsecPerWrite', 'assumed', undefined, 'commandstats usec leaves out reading, parsing and replying; the engine’s measured default is kept');
}

/**
 * rdb_last_bgsave_time_sec is time(NULL) at the end less at the start (`src/rdb.c`): whole
 * seconds either side of the truth, so a figure below this is more than a tenth off.
 */
const MIN_DURATION_READING_SEC = 10;

function snapshotFields(r: WriteRates, info: InfoText, config: Record<string, string> | undefined, draft: Draft): void {
  const last = infoNumber(info, 'rdb_last_bgsave_time_sec');
  if (last !== undefined && last >= MIN_DURATION_READING_SEC) {
    draft.set('snapshot.durationSec', Math.min(last, LIMITS.maxDurationSec), 'measured', 'INFO rdb_last_bgsave_time_sec', 'whole seconds (±1); the last save’s, under the load of that moment');
  } else {
    draft.record(
      'snapshot.durationSec',
      'assumed',
      undefined,
      last === undefined || last < 0
        ? 'no save since the start: the default save throughput'
        : `the last save read ${last} s, whole seconds either side of the truth: the default save throughput instead`,
    );
  }
  const rules = config && config.save !== undefined ? parseSaveRules(config.save) : undefined;
  const interval = rules ? saveIntervalSec(rules, r.modelledPerSec) : undefined;
  if (interval !== undefined) {
    draft.set(
      'snapshot.secondsSincePreviousFork',
      Math.round(clamp(interval, 0, LIMITS.maxSecondsSincePreviousFork)),
      'derived',
      `CONFIG GET save (${config!.save}) at ${fmt(r.modelledPerSec)} writes/s`,
      'a rule fires once its seconds have passed with its changes made; one write command is taken for one change',
    );
  } else {
    draft.record('snapshot.secondsSincePreviousFork', 'assumed', undefined, 'no save rule that fires at this write rate (or CONFIG refused): set your interval between forks, or "none" for the first after a restart');
  }
  draft.record('snapshot.rdbBytes', 'assumed', undefined, 'INFO does not show the RDB size: estimated from the dataset without compression. Give the size of dump.rdb.');
  draft.toSet.push('snapshot.rdbBytes: give the size of your dump.rdb (CONFIG GET dir, dbfilename); the estimate assumes nothing compresses.');
}

function lastSaveOf(info: InfoText): LastSave | null {
  const time = infoNumber(info, 'rdb_last_bgsave_time_sec');
  const fork = infoNumber(info, 'latest_fork_usec');
  if (time === undefined || time < 0 || fork === undefined || fork <= 0) return null;
  const rss = infoNumber(info, 'used_memory_rss');
  return {
    rdbLastCowSizeBytes: infoNumber(info, 'rdb_last_cow_size') ?? 0,
    latestForkUsec: fork,
    rdbLastBgsaveTimeSec: time,
    status: info.fields.rdb_last_bgsave_status ?? 'unknown',
    forkUsecPerGiBOfRss: rss !== undefined && rss >= MIN_RSS_FOR_FORK_HINT_BYTES ? Math.round((Math.max(0, fork - FORK_FIXED_USEC) * GiB) / rss) : null,
  };
}

export function draftScenario(input: InspectInput): InspectReport {
  const { info } = input;
  if (info.fields.redis_version === undefined && info.fields.used_memory === undefined) {
    throw new InspectError('INFO_UNRECOGNISED', 'the text has neither redis_version nor used_memory: paste the output of `redis-cli INFO all`', 'redis_version');
  }
  const instanceKeys = input.sample ? Object.values(input.sample.dbKeys).reduce((s, d) => s + d.keys, 0) : totalKeys(info);
  if (instanceKeys === 0) {
    throw new InspectError(
      'NO_KEYS',
      info.sections.includes('keyspace') || input.sample ? 'the instance holds no keys: nothing to forecast' : 'the text has no # Keyspace section: paste `redis-cli INFO all`',
      'keyspace',
    );
  }
  const draft = new Draft();
  const redisVersion = versionField(info, draft);
  draft.set('name', `${input.label ?? 'instance'}: redis ${redisVersion ?? '?'} (${input.source === 'live' ? 'inspected' : 'from INFO'})`.slice(0, 200), 'derived', 'INFO server');

  const { rates: r, windowSec, lifetime } = rates(input);
  let segments: InspectReport['segments'] = [];
  let unmodelled: InspectReport['unmodelled'] = [];
  let sampledBytes: number | null = null;
  const modelledSample = input.sample?.keys.some((k) => ['string', 'hash', 'set', 'zset', 'list'].includes(k.type)) ?? false;
  if (input.sample && modelledSample) {
    ({ findings: segments, unmodelled, sampledBytes } = segmentsFromSample(input.sample, r, draft));
  } else {
    datasetFromInfo(info, instanceKeys, draft);
    if (input.sample) draft.toSet.push('dataset: the sample held no string, hash, set, sorted set or list key; the draft holds strings of the mean size.');
  }
  for (const u of unmodelled) {
    draft.toSet.push(`${u.type} keys (${u.encoding}, about ${u.keys}${u.memoryBytes === null ? '' : `, ${Math.round(u.memoryBytes / MiB)} MiB`}) are not modelled and left out of the dataset.`);
  }

  const frag = infoNumber(info, 'mem_fragmentation_ratio');
  if (frag !== undefined && frag > 0) {
    draft.set(
      'allocator.fragmentationRatio',
      round(clamp(frag, 0.5, LIMITS.maxFragmentationRatio), 3),
      frag >= 0.5 && frag <= LIMITS.maxFragmentationRatio ? 'measured' : 'derived',
      'INFO mem_fragmentation_ratio',
      (infoNumber(info, 'used_memory') ?? 0) < 64 * MiB ? 'a small heap: the server’s own RSS (binary, libraries) weighs in this ratio' : undefined,
    );
  }

  workloadFields(input, r, windowSec, lifetime, draft);
  const configValues = input.config && 'values' in input.config ? input.config.values : undefined;
  snapshotFields(r, info, configValues, draft);
  configFields(input, draft, info);

  const memory = infoNumber(info, 'total_system_memory');
  if (memory !== undefined && memory >= LIMITS.minHostMemoryBytes && memory <= LIMITS.maxHostMemoryBytes) {
    draft.set('host.memoryBytes', memory, 'measured', 'INFO total_system_memory', 'the host’s RAM as /proc/meminfo shows it; in a container, set memory.max instead');
  }
  draft.record('host.kind', 'assumed', undefined, 'INFO does not tell a VM from a container');
  draft.toSet.push('host.kind, host.memoryBytes: in a container, set "kind": "container" and memoryBytes to its memory.max (INFO total_system_memory shows the host’s RAM).');
  const replicas = infoNumber(info, 'connected_slaves');
  if (replicas !== undefined && replicas > 0) draft.set('replication.replicas', Math.min(replicas, LIMITS.maxReplicas), 'measured', 'INFO connected_slaves');

  const lastSave = lastSaveOf(info);
  draft.record(
    'kernel.platform',
    'assumed',
    undefined,
    lastSave?.forkUsecPerGiBOfRss
      ? `the default preset; this host’s last fork took ${lastSave.forkUsecPerGiBOfRss} µs per GiB of RSS (latest_fork_usec): set kernel.forkUsecPerGiB to that if the preset forecasts another fork time`
      : 'the default preset; no fork since the start to compare with',
  );
  if (lastSave?.forkUsecPerGiBOfRss) {
    draft.toSet.push(`kernel.forkUsecPerGiB: this host forked at ${lastSave.forkUsecPerGiBOfRss} µs per GiB of RSS last time (latest_fork_usec); the draft keeps the ${DEFAULT_PLATFORM} preset, compare the two in the history check.`);
  }
  draft.record('kernel.thp', 'assumed', undefined, 'INFO does not show the host’s THP setting; with disable-thp yes (the default) Redis runs on 4 KiB pages anyway');

  const order = ['name', 'dataset', 'allocator', 'workload', 'snapshot', 'kernel', 'redis', 'host', 'replication'];
  const scenario = {
    ...Object.fromEntries(order.filter((k) => draft.scenario[k] !== undefined).map((k) => [k, draft.scenario[k]])),
    provenance: draft.provenance,
  } as ScenarioInput;
  const checked = ScenarioSchema.safeParse(scenario);
  if (!checked.success) throw new Error(`the drafted scenario does not parse: ${checked.error.message}`);
  const datasetBytes = input.memoryStats?.['dataset.bytes'] ?? infoNumber(info, 'used_memory_dataset') ?? null;
  return {
    source: input.source,
    redisVersion,
    scenario,
    writes: {
      windowSec: round(windowSec, 3),
      lifetimeAverage: lifetime,
      perSec: round(r.modelledPerSec, 2),
      byCommand: Object.fromEntries(Object.entries(r.byCommand).map(([k, v]) => [k, round(v, 2)])),
      byType: Object.fromEntries(Object.entries(r.byTarget).filter(([, v]) => v > 0).map(([k, v]) => [k, round(v, 2)])),
    },
    sample: input.sample ? { keys: input.sample.keys.length, instanceKeys, complete: input.sample.keys.length >= instanceKeys } : null,
    segments,
    unmodelled,
    memory: { usedMemoryBytes: infoNumber(info, 'used_memory') ?? null, datasetBytes, sampledBytes },
    lastSave,
    toSet: draft.toSet,
  };
}
