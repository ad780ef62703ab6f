import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import type { Database, NewDeliveryRow, NewEventRow, NewSuppressionRow } from './schema.js';
import { insertDeliveries } from './repositories/delivery.repository.js';
import {
  ImmediateSqliteDialect,
  relaxedCommits,
  withStatementCache,
} from './sqlite/sqlite-dialect.js';
import { PgTextPlugin } from './postgres/pg-text-plugin.js';
import {
  DELIVERY_INSERT_COLUMNS,
  sqliteDeliveryInserter,
} from './sqlite/sqlite-delivery-insert.js';
import {
  sqliteEventInserter,
  sqliteSuppressionInserter,
  type PreparedInsert,
} from './sqlite/sqlite-prepared-insert.js';
import { startCheckpointer } from './sqlite/sqlite-checkpointer.js';
import { openSqlite, type SqliteDriverName, type SqliteHandle } from './sqlite/sqlite-handle.js';

export type Engine = 'sqlite' | 'postgres';

/** A transaction on Bouncer's schema, as services pass it down to repositories. */
export type DbTransaction = Transaction<Database>;
/** What a repository runs on: the database itself or a transaction the caller holds. */
export type DbExecutor = Kysely<Database> | Transaction<Database>;

export type DatabaseSettings =
  | {
      kind: 'sqlite';
      path: string;
      synchronous?: 'FULL' | 'NORMAL' | 'OFF';
      /** The SQLite binding (`BOUNCER_SQLITE_DRIVER`); better-sqlite3 unless asked. */
      driver?: SqliteDriverName;
      /**
       * Checkpoint the WAL from a background thread instead of inside commits (see
       * sqlite-checkpointer.ts). For the long-running server; one-off commands leave it off.
       */
      backgroundCheckpoints?: boolean;
      /** Called with a checkpoint thread's error (it keeps running). */
      onCheckpointError?: (message: string) => void;
    }
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
  /** Insert raw deliveries in one transaction, resolving once committed (the group commit's sink). */
  writeDeliveries(rows: readonly NewDeliveryRow[]): Promise<void>;
  /**
   * SQLite only (null elsewhere): insert suppressions through one prepared statement, inside the
   * Kysely transaction the caller holds. Per row: inserted, or false when its key exists.
   */
  insertSuppressionsPrepared: PreparedInsert<NewSuppressionRow> | null;
  /** SQLite only (null elsewhere): the same for events; false when (provider, dedup_key) exists. */
  insertEventsPrepared: PreparedInsert<NewEventRow> | null;
  /**
   * A transaction whose commit need not reach the disk before it returns, for work redone from
   * durable input if it is lost: the worker applying stored deliveries (a delivery stays pending
   * until the transaction that applies it commits, and applying is idempotent). A power loss can
   * drop such a commit only together with everything committed after it. SQLite: this commit at
   * synchronous=NORMAL; PostgreSQL: synchronous_commit off for this transaction.
   */
  replayableTransaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  /** `select 1`: the database answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const inTransaction =
  (kysely: Kysely<Database>) =>
  (rows: readonly NewDeliveryRow[]): Promise<void> =>
    kysely.transaction().execute((trx) => insertDeliveries(trx, rows));

/**
 * The delivery insert as one prepared statement in one transaction: the hot path of every
 * webhook, so no query building per batch. It shares the connection with Kysely, bypassing
 * Kysely's connection lock: should a Kysely transaction be open across an await (one that waits
 * on the network, say), the insert would become a savepoint inside it and its commit would not
 * be ours to promise. So it waits until no transaction is open, then runs synchronously.
 */
function preparedInsert(sqlite: SqliteHandle): (rows: readonly NewDeliveryRow[]) => Promise<void> {
  let insertAll: ((rows: readonly unknown[][]) => void) | null = null;
  return async (rows) => {
    while (sqlite.inTransaction) await new Promise((resolve) => setImmediate(resolve));
    // Prepared on first use: the table exists only once migrations have run.
    insertAll ??= sqliteDeliveryInserter(sqlite);
    insertAll(rows.map((r) => DELIVERY_INSERT_COLUMNS.map((c) => r[c] ?? null)));
  };
}

// PostgreSQL returns bigint (int8) and numeric as strings; our timestamps fit in doubles.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

/** SQLite's default `wal_autocheckpoint`. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1_000;

export function openDatabase(settings: DatabaseSettings): Db {
  if (settings.kind === 'sqlite') {
    if (settings.path !== ':memory:') mkdirSync(dirname(settings.path), { recursive: true });
    const sqlite = openSqlite(settings.path, settings.driver ?? 'better-sqlite3');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${settings.synchronous ?? 'FULL'}`);
    sqlite.pragma('busy_timeout = 5000');
    // No memory-mapped reads of the database file: a file that goes away or becomes unwritable
    // under an mmap ends the process with SIGBUS instead of an error the edge answers with 503.
    sqlite.pragma('mmap_size = 0');
    sqlite.pragma('foreign_keys = ON');
    const synchronous = settings.synchronous ?? 'FULL';
    const dialect = new ImmediateSqliteDialect(
      { database: withStatementCache(sqlite) },
      synchronous,
    );
    const checkpointer =
      settings.backgroundCheckpoints && settings.path !== ':memory:'
        ? startCheckpointer(settings.path, {
            onError: settings.onCheckpointError,
            // Without the thread the WAL would grow without end: commits checkpoint again.
            onStopped: (message) => {
              if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
              settings.onCheckpointError?.(`${message}; commits checkpoint the WAL again`);
            },
          })
        : null;
    if (checkpointer) sqlite.pragma('wal_autocheckpoint = 0');
    const kysely = new Kysely<Database>({ dialect });
    return {
      kysely,
      caps: {
        engine: 'sqlite',
        rowLocks: false,
        arrayParams: false,
        maxParams: 32_000,
        binaryType: 'blob',
        bigintType: 'integer',
      },
      writeDeliveries: preparedInsert(sqlite),
      insertSuppressionsPrepared: sqliteSuppressionInserter(sqlite),
      insertEventsPrepared: sqliteEventInserter(sqlite),
      replayableTransaction: (fn) =>
        relaxedCommits.run(true, () => kysely.transaction().execute(fn)),
      ping: async () => {
        await sql`select 1`.execute(kysely);
      },
      close: async () => {
        await kysely.destroy();
        await checkpointer?.stop();
      },
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
  const kysely = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    plugins: [new PgTextPlugin()],
  });
  return {
    kysely,
    caps: {
      engine: 'postgres',
      rowLocks: true,
      arrayParams: true,
      maxParams: 60_000,
      binaryType: 'bytea',
      bigintType: 'bigint',
    },
    writeDeliveries: inTransaction(kysely),
    insertSuppressionsPrepared: null,
    insertEventsPrepared: null,
    replayableTransaction: (fn) =>
      kysely.transaction().execute(async (trx) => {
        await sql`set local synchronous_commit = off`.execute(trx);
        return fn(trx);
      }),
    ping: async () => {
      await sql`select 1`.execute(kysely);
    },
    close: () => kysely.destroy(),
  };
}
