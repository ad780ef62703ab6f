import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';

export type Engine = 'sqlite' | 'postgres';

export type DatabaseSettings =
  | { kind: 'sqlite'; path: string; synchronous?: 'FULL' | 'NORMAL' | 'OFF' }
  | { kind: 'postgres'; url: string; poolSize?: number };

/**
 * Engine differences, all of them, in one place (Kysely's rule: everything outside the dialect
 * is dialect-agnostic). Repositories consult these flags instead of testing the engine.
 */
export interface Capabilities {
  engine: Engine;
  /** `SELECT … FOR UPDATE SKIP LOCKED` for queue claims and row locks. */
  rowLocks: boolean;
  /** Bind an array as one parameter (`= any($1)`) instead of an IN list. */
  arrayParams: boolean;
  /** Largest number of bound parameters one statement may carry. */
  maxParams: number;
  binaryType: 'blob' | 'bytea';
  bigintType: 'integer' | 'bigint';
}

export interface Db {
  kysely: Kysely<Database>;
  caps: Capabilities;
  close(): Promise<void>;
}

// PostgreSQL returns bigint (int8) and numeric as strings; our timestamps fit in doubles.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export function openDatabase(settings: DatabaseSettings): Db {
  if (settings.kind === 'sqlite') {
    if (settings.path !== ':memory:') mkdirSync(dirname(settings.path), { recursive: true });
    const sqlite = new SQLite(settings.path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${settings.synchronous ?? 'FULL'}`);
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    return {
      kysely,
      caps: { engine: 'sqlite', rowLocks: false, arrayParams: false, maxParams: 32_000, binaryType: 'blob', bigintType: 'integer' },
      close: () => kysely.destroy(),
    };
  }
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client losing its connection (database restart) must not crash the process;
  // the next query gets a fresh connection.
  pool.on('error', () => undefined);
  // A client in use emits 'error' too when its server goes away (pg's Client re-emits the
  // connection error after failing the active query); without a listener that is an uncaught
  // exception that kills the process. The query itself has already failed and is handled.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    caps: { engine: 'postgres', rowLocks: true, arrayParams: true, maxParams: 60_000, binaryType: 'bytea', bigintType: 'bigint' },
    close: () => kysely.destroy(),
  };
}
