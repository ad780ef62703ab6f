import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/** Unsubscribe groups: the scopes a recipient sees (and can leave or rejoin) on the preference page. */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('unsubscribe_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', ctx.caps.bigintType, (c) => c.notNull())
    .addColumn('updated_at', ctx.caps.bigintType, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('unsubscribe_groups').execute();
}
