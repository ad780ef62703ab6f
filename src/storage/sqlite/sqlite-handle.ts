import { createRequire } from 'node:module';

/** What Bouncer uses of a SQLite statement (better-sqlite3's API; node:sqlite is shimmed to it). */
export interface SqliteStatement {
  readonly reader: boolean;
  all(params?: readonly unknown[]): unknown[];
  run(params?: readonly unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(params?: readonly unknown[]): IterableIterator<unknown>;
}

/** What Bouncer uses of a SQLite connection. */
export interface SqliteHandle {
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare(sql: string): SqliteStatement;
  pragma(source: string): unknown[];
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): void;
}

/** Which SQLite binding runs the database (`BOUNCER_SQLITE_DRIVER`). */
export const SQLITE_DRIVERS = ['better-sqlite3', 'node'] as const;
export type SqliteDriverName = (typeof SQLITE_DRIVERS)[number];

// node:sqlite's own types, as far as used here (kept local: @types/node of older runtimes
// lacks the module, and it is loaded only when chosen).
interface NodeStatementSync {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(...params: unknown[]): IterableIterator<unknown>;
  columns(): unknown[];
}
interface NodeDatabaseSync {
  readonly isOpen: boolean;
  readonly isTransaction: boolean;
  prepare(sql: string): NodeStatementSync;
  exec(sql: string): void;
  close(): void;
}

/**
 * node:sqlite behind better-sqlite3's API: parameters come as one array (spread here), `reader`
 * from the statement's result columns, `pragma` as a statement, `transaction` as
 * BEGIN/COMMIT around the function (ROLLBACK when it throws), nested calls as savepoints.
 */
class NodeSqliteHandle implements SqliteHandle {
  private depth = 0;
  constructor(private readonly db: NodeDatabaseSync) {}

  get open(): boolean {
    return this.db.isOpen;
  }

  get inTransaction(): boolean {
    return this.db.isTransaction;
  }

  prepare(sql: string): SqliteStatement {
    const stmt = this.db.prepare(sql);
    const reader = stmt.columns().length > 0;
    return {
      reader,
      all: (params = []) => stmt.all(...params),
      run: (params = []) => stmt.run(...params),
      iterate: (params = []) => stmt.iterate(...params),
    };
  }

  pragma(source: string): unknown[] {
    return this.db.prepare(`pragma ${source}`).all();
  }

  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      const nested = this.depth > 0 || this.db.isTransaction;
      const name = `bouncer_sp_${this.depth}`;
      this.db.exec(nested ? `savepoint ${name}` : 'begin');
      this.depth++;
      try {
        fn(...args);
        this.depth--;
        this.db.exec(nested ? `release ${name}` : 'commit');
      } catch (err) {
        this.depth--;
        this.db.exec(nested ? `rollback to ${name}; release ${name}` : 'rollback');
        throw err;
      }
    };
  }

  close(): void {
    this.db.close();
  }
}

/** Open a SQLite file (or `:memory:`) with the chosen binding. */
export function openSqlite(path: string, driver: SqliteDriverName): SqliteHandle {
  // Loaded on demand: each binding only when chosen (a native addon built for another Node
  // release, or a Node without node:sqlite, fails only the binding that is asked for).
  const require = createRequire(import.meta.url);
  if (driver === 'better-sqlite3') {
    const SQLite = require('better-sqlite3') as new (path: string) => SqliteHandle;
    return new SQLite(path);
  }
  const { DatabaseSync } = require('node:sqlite') as {
    DatabaseSync: new (path: string) => NodeDatabaseSync;
  };
  return new NodeSqliteHandle(new DatabaseSync(path));
}
