import type { Kysely } from 'kysely';

/**
 * Lets in-memory suppression indexes catch up incrementally: rows changed since a time are found
 * through this index (the change counters themselves live in `kv`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('suppressions_updated_idx')
    .on('suppressions')
    .column('updated_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('suppressions_updated_idx').execute();
}
