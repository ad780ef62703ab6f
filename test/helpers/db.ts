import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Db, type DatabaseSettings } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrations/index.js';
import { TEST_PG_URL, type TestDialect } from './dialects.js';

/** Prefix of the per-test PostgreSQL schemas. */
const SCHEMA_PREFIX = 'bouncer_t_';

/** Drop every per-test schema (before and after a run, never while tests run). */
export async function dropTestSchemas(): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    const { rows } = await c.query<{ nspname: string }>(
      'select nspname from pg_namespace where starts_with(nspname, $1)',
      [SCHEMA_PREFIX],
    );
    for (const { nspname } of rows) await c.query(`drop schema if exists ${nspname} cascade`);
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
    const settings: DatabaseSettings = { kind: 'sqlite', path, synchronous: 'NORMAL' };
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
  const schema = `${SCHEMA_PREFIX}${randomBytes(6).toString('hex')}`;
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
