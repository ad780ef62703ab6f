import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { openDatabase } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrations/index.js';

/** Deterministic data: the same seed gives the same files and rows on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s ^= s + Math.imul(s ^ (s >>> 7), 61);
    return ((s ^ (s >>> 14)) >>> 0) / 4294967296;
  };
}

export const suppressedAddress = (i: number): string => `s${i}.user@domain${i % 977}.example`;
const freshAddress = (i: number): string => `r${i}.person@mail${i % 613}.example`;
const REASON_MIX = [
  'hard_bounce',
  'hard_bounce',
  'hard_bounce',
  'hard_bounce',
  'spam_complaint',
  'unsubscribe',
  'unsubscribe',
] as const;

async function writeLines(
  path: string,
  lines: (write: (s: string) => boolean) => Promise<void> | void,
): Promise<void> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  let buf = '';
  const write = (s: string): boolean => {
    buf += s;
    return buf.length > 1 << 20;
  };
  await lines((s) => {
    if (write(s)) {
      const ok = out.write(buf);
      buf = '';
      return ok;
    }
    return true;
  });
  out.end(buf);
  await once(out, 'finish');
}

/**
 * recipients.csv / recipients.ndjson (`suppressedShare` of them on the list, in random places)
 * and import.csv (a SendGrid bounce export of `imports` new addresses).
 */
export async function generateFiles(
  dir: string,
  opts: { suppressions: number; recipients: number; suppressedShare: number; imports: number },
): Promise<{ suppressedInList: number }> {
  mkdirSync(dir, { recursive: true });
  const rnd = prng(42);
  const picks: string[] = [];
  let suppressedInList = 0;
  for (let i = 0; i < opts.recipients; i++) {
    if (rnd() < opts.suppressedShare) {
      picks.push(suppressedAddress(Math.floor(rnd() * opts.suppressions)));
      suppressedInList++;
    } else picks.push(freshAddress(i));
  }
  await writeLines(`${dir}/recipients.csv`, async (w) => {
    w('email,first_name,customer_id\n');
    for (let i = 0; i < picks.length; i++) w(`${picks[i]},Name${i % 1000},${100000 + i}\n`);
  });
  await writeLines(`${dir}/recipients.ndjson`, async (w) => {
    for (let i = 0; i < picks.length; i++)
      w(`{"address":"${picks[i]}","first_name":"Name${i % 1000}","customer_id":${100000 + i}}\n`);
  });
  await writeLines(`${dir}/import.csv`, async (w) => {
    w('email,created,status,reason\n');
    for (let i = 0; i < opts.imports; i++)
      w(
        `imported${i}@bounce${i % 331}.example,${1_690_000_000 + i},5.1.1,"550 5.1.1 user unknown"\n`,
      );
  });
  return { suppressedInList };
}

function row(i: number, now: number): unknown[] {
  const reason = REASON_MIX[i % REASON_MIX.length]!;
  return [
    `${now.toString(36).padStart(9, '0')}${i.toString(16).padStart(16, '0')}`,
    'email',
    suppressedAddress(i),
    '*',
    reason,
    'bench',
    now - i,
    now - i,
    null,
    0,
    '[]',
    '{}',
    now - i,
    now,
  ];
}

const COLUMNS =
  'id, channel, address, scope, reason, source, first_event_at, last_event_at, expires_at, soft_count, soft_failures, metadata, created_at, updated_at';

/** A fresh migrated SQLite database with `n` active suppressions. */
export async function seedSqlite(path: string, n: number): Promise<void> {
  rmSync(path, { force: true });
  rmSync(`${path}-wal`, { force: true });
  rmSync(`${path}-shm`, { force: true });
  const db = openDatabase({ kind: 'sqlite', path, synchronous: 'NORMAL' });
  await migrateToLatest(db);
  await db.close();
  const raw = new SQLite(path);
  const insert = raw.prepare(
    `insert into suppressions (${COLUMNS}) values (${COLUMNS.split(',')
      .map(() => '?')
      .join(',')})`,
  );
  const now = Date.now();
  raw.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(...row(i, now));
  })();
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();
}

/** A fresh schema in PostgreSQL, migrated, with `n` active suppressions; returns its URL. */
export async function seedPostgres(baseUrl: string, schema: string, n: number): Promise<string> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const db = openDatabase({ kind: 'postgres', url });
  await migrateToLatest(db);
  await db.close();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const now = Date.now();
  const types = [
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'bigint',
    'bigint',
    'bigint',
    'int',
    'text',
    'text',
    'bigint',
    'bigint',
  ];
  for (let from = 0; from < n; from += 20_000) {
    const cols: unknown[][] = types.map(() => []);
    for (let i = from; i < Math.min(n, from + 20_000); i++)
      row(i, now).forEach((v, k) => cols[k]!.push(v));
    await c.query(
      `insert into suppressions (${COLUMNS}) select * from unnest(${types.map((t, k) => `$${k + 1}::${t}[]`).join(', ')})`,
      cols,
    );
  }
  await c.query('analyze suppressions');
  await c.end();
  return url;
}
