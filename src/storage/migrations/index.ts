import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { Capabilities, Db } from '../database.js';
import * as m0001 from './0001-foundation.js';
import * as m0004 from './0004-operations.js';
import * as m0005 from './0005-mailbox-messages.js';
import * as m0006 from './0006-suppression-changes.js';
import * as m0007 from './0007-unsubscribe-groups.js';
import * as m0008 from './0008-session-key-hash.js';
import * as m0009 from './0009-outbound.js';

export interface MigrationContext {
  caps: Capabilities;
}

type MigrationModule = {
  up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>;
  down?(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>;
};

/** Every migration, in order. Names sort; add new ones at the end. */
const MIGRATIONS: Record<string, MigrationModule> = {
  '0001-foundation': m0001,
  '0004-operations': m0004,
  '0005-mailbox-messages': m0005,
  '0006-suppression-changes': m0006,
  '0007-unsubscribe-groups': m0007,
  '0008-session-key-hash': m0008,
  '0009-outbound': m0009,
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly caps: Capabilities) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const ctx = { caps: this.caps };
    return Object.fromEntries(
      Object.entries(MIGRATIONS).map(([name, m]) => [
        name,
        {
          up: (db: Kysely<unknown>) => m.up(db, ctx),
          down: m.down ? (db: Kysely<unknown>) => m.down!(db, ctx) : undefined,
        },
      ]),
    );
  }
}

export interface MigrateResult {
  applied: string[];
}

/** Bring the schema up to date. Safe to run from several processes at once (Kysely locks). */
export async function migrateToLatest(db: Db): Promise<MigrateResult> {
  // Name the schema explicitly on PostgreSQL: Kysely otherwise looks for its bookkeeping tables
  // in any schema and would find another tenant's (several Bouncers may share one database).
  let migrationTableSchema: string | undefined;
  if (db.caps.engine === 'postgres') {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
      db.kysely,
    );
    migrationTableSchema = rows[0]?.schema;
  }
  const migrator = new Migrator({
    db: db.kysely,
    provider: new StaticProvider(db.caps),
    migrationTableSchema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return {
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}
