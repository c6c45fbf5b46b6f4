// The readings of a live instance, over read-only commands only: INFO all twice, `observeSec`
// apart, for the write rate; CONFIG GET of the settings that matter (refused on many managed
// services: then the draft says so); MEMORY STATS; and a bounded sample of keys — a SCAN prefix
// of each database, never KEYS — each described by TYPE, OBJECT ENCODING, MEMORY USAGE, PTTL,
// OBJECT IDLETIME and its length and a few random elements. Every command goes through one
// allow-list. OBJECT IDLETIME, TYPE, PTTL and MEMORY USAGE leave a key's LRU clock alone
// (LOOKUP_NOTOUCH, `src/object.c`, `src/expire.c`); the length commands touch it unless
// CLIENT NO-TOUCH (7.2+) is on, which is asked for first.
import { Redis, type ChainableCommander } from 'ioredis';
import { CONFIG_SETTINGS, LEGACY_NAMES, type ConfigReading, type EncodingSetting } from './config-settings.js';
import type { InspectInput, KeySample } from './draft.js';
import { parseInfoText, type InfoText } from './info-text.js';
import { INSPECT_DEFAULTS, INSPECT_LIMITS } from './limits.js';
import type { SampledKey } from './sampled-key.js';

/** Every command this module sends, as `command` or `command|subcommand`; none writes (its test checks the command table). */
export const READ_ONLY_COMMANDS: ReadonlySet<string> = new Set([
  'info',
  'dbsize',
  'memory|stats',
  'memory|usage',
  'config|get',
  'client|no-touch',
  'select',
  'scan',
  'type',
  'object|encoding',
  'object|idletime',
  'pttl',
  'strlen',
  'hlen',
  'scard',
  'zcard',
  'llen',
  'hrandfield',
  'srandmember',
  'zrandmember',
  'lrange',
]);

export class LiveInspectError extends Error {}

export interface LiveOptions {
  /** redis://[user:password@]host:port[/db] or rediss://… */
  url: string;
  /** TLS even for a redis:// URL. @defaultValue false */
  tls?: boolean;
  /** @defaultValue INSPECT_DEFAULTS.sampleKeys */
  sampleKeys?: number;
  /** Seconds between the two INFO readings; 0 takes one reading and lifetime averages. @defaultValue INSPECT_DEFAULTS.observeSec */
  observeSec?: number;
  onProgress?: (message: string) => void;
}

export interface Endpoint {
  host: string;
  port: number;
  username: string | undefined;
  password: string | undefined;
  tls: boolean;
  /** host:port, never the password. */
  label: string;
}

export function parseRedisUrl(url: string, tls = false): Endpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LiveInspectError(`not a URL: expected redis://[user:password@]host:port`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new LiveInspectError(`expected a redis:// or rediss:// URL, not ${parsed.protocol}//`);
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (host === '') throw new LiveInspectError('the URL names no host');
  return {
    host,
    port,
    username: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
    tls: tls || parsed.protocol === 'rediss:',
    label: `${host}:${port}`,
  };
}

type Arg = string | number | Buffer;

/** The one way a command leaves this module: on the allow-list or not at all. */
export function assertReadOnly(command: string, args: readonly Arg[]): void {
  const sub = typeof args[0] === 'string' ? `${command}|${args[0]}`.toLowerCase() : '';
  if (!READ_ONLY_COMMANDS.has(command.toLowerCase()) && !READ_ONLY_COMMANDS.has(sub)) throw new Error(`${command} is not a read-only command of the inspection`);
}

class Reader {
  constructor(readonly redis: Redis) {}

  call(command: string, ...args: Arg[]): Promise<unknown> {
    assertReadOnly(command, args);
    return this.redis.call(command, ...args);
  }

  callBuffer(command: string, ...args: Arg[]): Promise<unknown> {
    assertReadOnly(command, args);
    return this.redis.callBuffer(command, ...args);
  }

  /** One round trip; each reply or its error. */
  async batch(build: (queue: (buffer: boolean, command: string, ...args: Arg[]) => void) => void): Promise<Array<[Error | null, unknown]>> {
    const pipeline: ChainableCommander = this.redis.pipeline();
    build((buffer, command, ...args) => {
      assertReadOnly(command, args);
      if (buffer) pipeline.callBuffer(command, ...args);
      else pipeline.call(command, ...args);
    });
    return ((await pipeline.exec()) ?? []) as Array<[Error | null, unknown]>;
  }
}

async function readInfo(reader: Reader): Promise<{ info: InfoText; atMs: number }> {
  const text = String(await reader.call('INFO', 'all'));
  const info = parseInfoText(text);
  const serverUsec = Number(info.fields.server_time_usec);
  return { info, atMs: Number.isFinite(serverUsec) && serverUsec > 0 ? serverUsec / 1000 : Date.now() };
}

async function readConfig(reader: Reader): Promise<ConfigReading> {
  const values: Record<string, string> = {};
  const get = async (name: string) => {
    const reply = (await reader.call('CONFIG', 'GET', name)) as string[];
    for (let i = 0; i + 1 < reply.length; i += 2) values[reply[i]!] = reply[i + 1]!;
  };
  try {
    await get(CONFIG_SETTINGS[0]);
  } catch (err) {
    return { refused: (err as Error).message.split('\n')[0]!.slice(0, 200) };
  }
  // 6.2 takes one name per call; the listpack names there are the ziplist ones.
  for (const name of CONFIG_SETTINGS.slice(1)) {
    await get(name).catch(() => undefined);
    const legacy = LEGACY_NAMES[name as EncodingSetting];
    if (values[name] === undefined && legacy !== undefined) await get(legacy).catch(() => undefined);
  }
  return { values };
}

/** MEMORY STATS' numeric fields, nested ones (db.0) left out. */
async function readMemoryStats(reader: Reader): Promise<Record<string, number> | undefined> {
  try {
    const reply = (await reader.call('MEMORY', 'STATS')) as unknown[];
    const stats: Record<string, number> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const value = Number(reply[i + 1]);
      if (!Array.isArray(reply[i + 1]) && Number.isFinite(value)) stats[String(reply[i])] = value;
    }
    return stats;
  } catch {
    return undefined;
  }
}

const LENGTH_COMMAND: Record<string, string> = { string: 'STRLEN', hash: 'HLEN', set: 'SCARD', zset: 'ZCARD', list: 'LLEN' };

/** The random-element reads of a key type: their replies' byte lengths give element sizes. */
function elementReads(type: string, key: Buffer): Array<[string, ...Arg[]]> {
  const n = INSPECT_LIMITS.elementsPerKey;
  switch (type) {
    case 'hash':
      return [['HRANDFIELD', key, n, 'WITHVALUES']];
    case 'set':
      return [['SRANDMEMBER', key, n]];
    case 'zset':
      return [['ZRANDMEMBER', key, n]];
    case 'list':
      return [
        ['LRANGE', key, 0, 0],
        ['LRANGE', key, -1, -1],
      ];
    default:
      return [];
  }
}

function elementBytes(type: string, replies: unknown[]): number[] {
  // A RESP3 client would get [field, value] pairs; flattened, both protocols read alike.
  const buffers = replies.flatMap((r) => (Array.isArray(r) ? (r.flat() as Buffer[]) : []));
  if (type !== 'hash') return buffers.map((b) => b.length);
  const pairs: number[] = [];
  for (let i = 0; i + 1 < buffers.length; i += 2) pairs.push(buffers[i]!.length + buffers[i + 1]!.length);
  return pairs;
}

function maxAbsInteger(replies: unknown[]): number | undefined {
  const members = replies.flatMap((r) => (Array.isArray(r) ? (r as Buffer[]) : [])).map((b) => b.toString());
  if (members.length === 0 || !members.every((m) => /^-?\d+$/.test(m))) return undefined;
  return members.reduce((m, s) => Math.max(m, Math.abs(Number(s))), 0);
}

const numberOr = (value: unknown): number | undefined => (typeof value === 'number' ? value : typeof value === 'string' && value !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined);

/** Describes one batch of keys in two round trips; keys gone meanwhile are skipped. */
async function describeKeys(reader: Reader, db: number, keys: Buffer[]): Promise<Omit<SampledKey, 'weight'>[]> {
  const first = await reader.batch((queue) => {
    for (const key of keys) {
      // IDLETIME first: nothing before it may touch the key.
      queue(false, 'OBJECT', 'IDLETIME', key);
      queue(false, 'TYPE', key);
      queue(false, 'OBJECT', 'ENCODING', key);
      queue(false, 'MEMORY', 'USAGE', key);
      queue(false, 'PTTL', key);
    }
  });
  const heads = keys.map((key, i) => {
    const [idle, type, encoding, memory, pttl] = first.slice(i * 5, i * 5 + 5);
    return {
      key,
      idleSec: idle?.[0] ? undefined : numberOr(idle?.[1]),
      type: type?.[0] ? 'none' : String(type?.[1]),
      encoding: encoding?.[0] ? 'unknown' : String(encoding?.[1]),
      memoryBytes: memory?.[0] ? undefined : numberOr(memory?.[1]),
      pttlMs: pttl?.[0] ? undefined : numberOr(pttl?.[1]),
    };
  });
  const present = heads.filter((h) => h.type !== 'none' && (h.pttlMs === undefined || h.pttlMs !== -2));
  const plans = present.map((h) => [[LENGTH_COMMAND[h.type], h.key] as [string, ...Arg[]], ...elementReads(h.type, h.key)].filter((c) => c[0] !== undefined));
  // The length as a number, the elements as buffers (their byte lengths, binary-safe).
  const second = await reader.batch((queue) => {
    for (const plan of plans) plan.forEach(([command, ...args], j) => queue(j > 0, command, ...args));
  });
  const out: Omit<SampledKey, 'weight'>[] = [];
  let at = 0;
  present.forEach((h, i) => {
    const replies = second.slice(at, at + plans[i]!.length);
    at += plans[i]!.length;
    const length = LENGTH_COMMAND[h.type] ? numberOr(replies[0]?.[1]) : 0;
    const elementReplies = replies.slice(1).filter(([err]) => err === null).map(([, r]) => r);
    out.push({
      db,
      keyBytes: h.key.length,
      type: h.type,
      encoding: h.encoding,
      memoryBytes: h.memoryBytes,
      ttlMs: h.pttlMs !== undefined && h.pttlMs >= 0 ? h.pttlMs : undefined,
      idleSec: h.idleSec,
      length: length ?? 0,
      elementBytes: h.type === 'string' ? [] : elementBytes(h.type, elementReplies),
      ...(h.type === 'set' ? { maxAbsIntMember: maxAbsInteger(elementReplies) } : {}),
    });
  });
  return out;
}

/** A SCAN prefix of each database, keys in proportion to its size, described batch by batch. */
async function sampleKeys(reader: Reader, info: InfoText, target: number, accessWindowSec: number, deadlineMs: number, progress: (m: string) => void): Promise<KeySample> {
  const dbs = Object.entries(info.keyspace).map(([db, entry]) => ({ db: Number(db), keys: entry.keys }));
  const total = dbs.reduce((s, d) => s + d.keys, 0);
  const sample: SampledKey[] = [];
  const dbKeys: KeySample['dbKeys'] = {};
  for (const { db, keys } of dbs) {
    if (keys === 0) continue;
    try {
      await reader.call('SELECT', db);
    } catch {
      progress(`db${db}: SELECT refused, left out`);
      continue;
    }
    const size = Number(await reader.call('DBSIZE'));
    const want = Math.max(1, Math.round((target * keys) / total));
    const seen = new Set<string>();
    const described: Omit<SampledKey, 'weight'>[] = [];
    let cursor = '0';
    let pending: Buffer[] = [];
    let partial = false;
    do {
      const [next, batch] = (await reader.callBuffer('SCAN', cursor, 'COUNT', INSPECT_LIMITS.batchKeys)) as [Buffer, Buffer[]];
      cursor = next.toString();
      for (const key of batch) {
        const id = key.toString('latin1');
        if (seen.has(id)) continue;
        if (seen.size >= want) {
          partial = true;
          break;
        }
        seen.add(id);
        pending.push(key);
      }
      if (pending.length >= INSPECT_LIMITS.batchKeys || cursor === '0' || seen.size >= want) {
        described.push(...(await describeKeys(reader, db, pending)));
        pending = [];
      }
      if (Date.now() > deadlineMs) {
        progress(`sampling stopped at its deadline with ${sample.length + described.length} keys`);
        partial = true;
        break;
      }
    } while (cursor !== '0' && !partial);
    if (pending.length > 0) described.push(...(await describeKeys(reader, db, pending)));
    if (cursor !== '0') partial = true;
    // Keys that vanished between SCAN and TYPE stand for nothing; the rest for the database.
    const complete = !partial;
    const weight = complete ? 1 : size / Math.max(1, described.length);
    dbKeys[db] = { keys: complete ? described.length : size, sampled: described.length };
    for (const key of described) sample.push({ ...key, weight });
    progress(`db${db}: ${described.length} of ${size} keys read`);
    if (Date.now() > deadlineMs) break;
  }
  if (dbs.some((d) => d.db !== 0)) await reader.call('SELECT', 0).catch(() => undefined);
  return { keys: sample, dbKeys, accessWindowSec };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function inspectLive(options: LiveOptions): Promise<InspectInput> {
  const sampleTarget = options.sampleKeys ?? INSPECT_DEFAULTS.sampleKeys;
  const observeSec = options.observeSec ?? INSPECT_DEFAULTS.observeSec;
  if (!(Number.isInteger(sampleTarget) && sampleTarget >= 1 && sampleTarget <= INSPECT_LIMITS.maxSampleKeys)) {
    throw new LiveInspectError(`--sample must be an integer from 1 to ${INSPECT_LIMITS.maxSampleKeys}`);
  }
  if (!(observeSec >= 0 && observeSec <= INSPECT_LIMITS.maxObserveSec)) throw new LiveInspectError(`--observe must be from 0 to ${INSPECT_LIMITS.maxObserveSec} seconds`);
  const endpoint = parseRedisUrl(options.url, options.tls);
  const progress = options.onProgress ?? (() => undefined);
  const redis = new Redis({
    host: endpoint.host,
    port: endpoint.port,
    ...(endpoint.username === undefined ? {} : { username: endpoint.username }),
    ...(endpoint.password === undefined ? {} : { password: endpoint.password }),
    ...(endpoint.tls ? { tls: {} } : {}),
    // RESP2: flat replies, and servers or proxies without HELLO answer too.
    protocol: 2,
    lazyConnect: true,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: INSPECT_LIMITS.connectTimeoutMs,
    commandTimeout: INSPECT_LIMITS.commandTimeoutMs,
  });
  // Failures reach the command that fails; the connection's own event would end the process.
  redis.on('error', () => undefined);
  try {
    try {
      await redis.connect();
    } catch (err) {
      throw new LiveInspectError(`cannot connect to ${endpoint.label}${endpoint.tls ? ' over TLS' : ''}: ${(err as Error).message}`);
    }
    const reader = new Reader(redis);
    await reader.call('CLIENT', 'NO-TOUCH', 'ON').catch(() => undefined);
    const before = await readInfo(reader);
    const startedMs = Date.now();
    progress(`connected to ${endpoint.label}: redis ${before.info.fields.redis_version ?? '?'}, observing writes for ${observeSec} s`);
    const config = await readConfig(reader);
    if ('refused' in config) progress(`CONFIG GET refused (${config.refused}): the draft takes defaults for what INFO does not show`);
    const memoryStats = await readMemoryStats(reader);
    const accessWindowSec = observeSec > 0 ? observeSec : INSPECT_DEFAULTS.observeSec;
    const sample = await sampleKeys(reader, before.info, sampleTarget, accessWindowSec, startedMs + INSPECT_LIMITS.sampleDeadlineSec * 1000, progress);
    let earlier: InspectInput['earlier'];
    let info = before.info;
    if (observeSec > 0) {
      await sleep(startedMs + observeSec * 1000 - Date.now());
      const after = await readInfo(reader);
      info = after.info;
      earlier = { info: before.info, elapsedSec: (after.atMs - before.atMs) / 1000 };
    }
    return { source: 'live', label: endpoint.label, info, ...(earlier ? { earlier } : {}), config, sample, ...(memoryStats ? { memoryStats } : {}) };
  } catch (err) {
    if (err instanceof LiveInspectError) throw err;
    throw new LiveInspectError(`${endpoint.label}: ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
}
