import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Db, type DatabaseSettings } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrations/index.js';
import { TEST_PG_URL, type TestDialect } from './dialects.js';

/** Prefix of every per-test PostgreSQL schema; each run adds its own part (runSchemaPrefix). */
const SCHEMA_PREFIX = 'bouncer_t_';

/** A run older than this is over (interrupted): its schemas may go. No run takes 6 hours. */
const STALE_RUN_MS = 6 * 60 * 60 * 1_000;

/**
 * This run's schema prefix: `bouncer_t_<start>_<random>_`, with the run's start time in base 36
 * (global setup puts the run id in BOUNCER_TEST_RUN_ID, which the test forks inherit). Two runs at
 * once on one machine, or in sandboxes sharing one PostgreSQL, never drop each other's schemas.
 */
export function runSchemaPrefix(): string {
  const id = (process.env.BOUNCER_TEST_RUN_ID ??= newRunId());
  return `${SCHEMA_PREFIX}${id}_`;
}

export function newRunId(now = Date.now()): string {
  return `${now.toString(36)}_${randomBytes(3).toString('hex')}`;
}

/**
 * Drop this run's schemas, and those of runs that started more than STALE_RUN_MS ago (left by an
 * interrupted run); schemas of runs that may still be going are left alone. Never called while
 * this run's tests run.
 */
export async function dropTestSchemas(now = Date.now()): Promise<void> {
  const own = runSchemaPrefix();
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    const { rows } = await c.query<{ nspname: string }>(
      'select nspname from pg_namespace where starts_with(nspname, $1)',
      [SCHEMA_PREFIX],
    );
    for (const { nspname } of rows) {
      const started = /^bouncer_t_([0-9a-z]+)_[0-9a-f]+_/.exec(nspname)?.[1];
      // Names of another form (older runs, other tools) are left alone.
      const stale = started !== undefined && now - parseInt(started, 36) > STALE_RUN_MS;
      if (nspname.startsWith(own) || stale) {
        await c.query(`drop schema if exists ${nspname} cascade`);
      }
    }
  } finally {
    await c.end();
  }
}

export interface TestDatabase {
  dialect: TestDialect;
  /** A BOUNCER_DATABASE_URL for child processes pointing at the same data. */
  url: string;
  settings: DatabaseSettings;
  db: Db;
  /** Close the connection and delete the file (a PostgreSQL schema goes at the end of the run). */
  cleanup(): Promise<void>;
}

/**
 * A fresh, migrated database: a temp SQLite file, or a private schema in the real PostgreSQL
 * (selected through `search_path` in the URL, so child processes can use it too).
 */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'bouncer-test-'));
    const path = join(dir, 'bouncer.db');
    const settings: DatabaseSettings = {
      kind: 'sqlite',
      path,
      synchronous: 'NORMAL',
      // BOUNCER_SQLITE_DRIVER=node runs the suite on node:sqlite (the evaluation in bench/).
      driver: process.env.BOUNCER_SQLITE_DRIVER === 'node' ? 'node' : 'better-sqlite3',
    };
    const db = openDatabase(settings);
    await migrateToLatest(db);
    return {
      dialect,
      url: `sqlite:${path}`,
      settings,
      db,
      cleanup: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `${runSchemaPrefix()}${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const sep = TEST_PG_URL.includes('?') ? '&' : '?';
  const url = `${TEST_PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const settings: DatabaseSettings = { kind: 'postgres', url, poolSize: 5 };
  const db = openDatabase(settings);
  await migrateToLatest(db);
  return {
    dialect,
    url,
    settings,
    db,
    // The schema is not dropped here: Kysely's migrator reads the whole catalog, and a schema
    // dropped while another test migrates fails that test ("schema … does not exist"). The
    // global teardown drops them all once no test runs (dropTestSchemas).
    cleanup: () => db.close(),
  };
}
