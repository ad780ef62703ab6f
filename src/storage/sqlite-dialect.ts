import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';

/**
 * Kysely's SQLite driver opens transactions with a plain (deferred) BEGIN. With more than one
 * connection on the file (the delivery writer thread, the worker thread), a deferred
 * transaction that read first and then writes fails with SQLITE_BUSY_SNAPSHOT when another
 * connection committed in between, and busy_timeout cannot help. BEGIN IMMEDIATE takes the write
 * lock up front, waiting (busy_timeout) instead of failing.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }
}
