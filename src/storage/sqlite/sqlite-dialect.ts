import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqliteHandle, SqliteStatement } from './sqlite-handle.js';
import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type SqliteDialectConfig,
} from 'kysely';

/** Statements kept prepared, and the longest SQL worth keeping (bulk IN lists vary in length). */
const STATEMENT_CACHE_SIZE = 256;
const STATEMENT_CACHE_MAX_SQL = 4_096;

/**
 * The connection as Kysely's SQLite driver sees it, with prepared statements kept by SQL text.
 * Kysely prepares every query it runs; better-sqlite3 statements are reusable, and preparing costs
 * more than running a point lookup. Least recently used statements are dropped first.
 */
export function withStatementCache(db: SqliteHandle): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => void db.close(),
    prepare: (sql: string) => {
      let stmt = cache.get(sql);
      if (stmt) {
        // Move to the most recently used end.
        cache.delete(sql);
        cache.set(sql, stmt);
        return stmt;
      }
      stmt = db.prepare(sql);
      if (sql.length <= STATEMENT_CACHE_MAX_SQL) {
        cache.set(sql, stmt);
        if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      return stmt;
    },
  };
}

/**
 * Kysely's SQLite driver opens transactions with a plain (deferred) BEGIN. With more than one
 * connection on the file (the delivery writer thread, the worker thread), a deferred
 * transaction that read first and then writes fails with SQLITE_BUSY_SNAPSHOT when another
 * connection committed in between, and busy_timeout cannot help. BEGIN IMMEDIATE takes the write
 * lock up front, waiting (busy_timeout) instead of failing.
 */
/** Set around Db.replayableTransaction: the transactions begun in it commit without an fsync. */
export const relaxedCommits = new AsyncLocalStorage<boolean>();

class ImmediateSqliteDriver extends SqliteDriver {
  private relaxedOpen = false;

  constructor(
    config: SqliteDialectConfig,
    private readonly synchronous: string,
  ) {
    super(config);
  }

  /**
   * In a relaxed transaction (relaxedCommits), the commit runs at synchronous=NORMAL: written to
   * the WAL without an fsync of its own. The WAL is sequential, so the next durable commit's
   * fsync covers it too; a power loss can only drop it together with everything after it.
   * SQLite refuses to change the level inside a transaction, so it is set before BEGIN and
   * restored after COMMIT, while Kysely still holds the connection for this transaction; the
   * statements in between run without yielding to other tasks.
   */
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    this.relaxedOpen = this.synchronous === 'FULL' && relaxedCommits.getStore() === true;
    if (this.relaxedOpen)
      await connection.executeQuery(CompiledQuery.raw('pragma synchronous = normal'));
    try {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    } catch (err) {
      await this.restore(connection);
      throw err;
    }
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.commitTransaction(connection);
    } finally {
      await this.restore(connection);
    }
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } finally {
      await this.restore(connection);
    }
  }

  private async restore(connection: DatabaseConnection): Promise<void> {
    if (!this.relaxedOpen) return;
    this.relaxedOpen = false;
    await connection.executeQuery(CompiledQuery.raw(`pragma synchronous = ${this.synchronous}`));
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  constructor(
    private readonly settings: SqliteDialectConfig,
    private readonly synchronous: 'FULL' | 'NORMAL' | 'OFF',
  ) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings, this.synchronous);
  }
}
