// The text INFO answers (and `redis-cli INFO` prints): `# Section` headers, then `field:value`
// lines (redis-doc commands/info.md). Commandstats lines hold `calls=…,usec=…` pairs, keyspace
// lines `keys=…,expires=…,avg_ttl=…`; both are parsed into records of their own.

export interface CommandStat {
  calls: number;
  usec: number;
  /** 7.0: calls refused before running (ACL, OOM, …), not in `calls`. */
  rejectedCalls: number;
  /** 7.0: calls that ran and failed, inside `calls`. */
  failedCalls: number;
}

export interface KeyspaceEntry {
  keys: number;
  expires: number;
  avgTtlMs: number;
}

export interface InfoText {
  /** Every `field:value` line, whatever its section (INFO's field names are unique). */
  fields: Record<string, string>;
  /** Section names seen, lower-cased (`server`, `memory`, `commandstats`, …). */
  sections: string[];
  /** By command name as INFO spells it: `set`, `config|get`. */
  commandStats: Record<string, CommandStat>;
  /** By database number. */
  keyspace: Record<number, KeyspaceEntry>;
}

/** `a=1,b=2` → { a: '1', b: '2' }. */
function pairs(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

const toNumber = (text: string | undefined): number => (text !== undefined && text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : 0);

export function parseInfoText(text: string): InfoText {
  const info: InfoText = { fields: {}, sections: [], commandStats: {}, keyspace: {} };
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      section = line.slice(1).trim().toLowerCase();
      if (section !== '' && !info.sections.includes(section)) info.sections.push(section);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1);
    if (name.startsWith('cmdstat_')) {
      const p = pairs(value);
      info.commandStats[name.slice('cmdstat_'.length).toLowerCase()] = {
        calls: toNumber(p.calls),
        usec: toNumber(p.usec),
        rejectedCalls: toNumber(p.rejected_calls),
        failedCalls: toNumber(p.failed_calls),
      };
      continue;
    }
    const db = /^db(\d+)$/.exec(name);
    if (db && (section === 'keyspace' || value.includes('keys='))) {
      const p = pairs(value);
      info.keyspace[Number(db[1])] = { keys: toNumber(p.keys), expires: toNumber(p.expires), avgTtlMs: toNumber(p.avg_ttl) };
      continue;
    }
    info.fields[name] = value;
  }
  return info;
}

/** A numeric field, or undefined when absent or not a number. */
export function infoNumber(info: InfoText, field: string): number | undefined {
  const value = info.fields[field];
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Keys over every database. */
export function totalKeys(info: InfoText): number {
  return Object.values(info.keyspace).reduce((sum, db) => sum + db.keys, 0);
}

/** `7.0.15` → [7, 0, 15]; undefined without redis_version. */
export function redisVersionOf(info: InfoText): [number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(info.fields.redis_version ?? '');
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}
