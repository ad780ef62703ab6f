import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Db, type DatabaseSettings } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrations/index.js';
import { TEST_PG_URL, type TestDialect } from './dialects.js';

export interface TestDatabase {
  dialect: TestDialect;
  /** A BOUNCER_DATABASE_URL for child processes pointing at the same data. */
  url: string;
  settings: DatabaseSettings;
  db: Db;
  /** Close the connection and delete the file / schema. */
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
      dialect, url: `sqlite:${path}`, settings, db,
      cleanup: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
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
    dialect, url, settings, db,
    cleanup: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}
