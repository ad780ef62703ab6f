import type { Kysely } from 'kysely';

/**
 * Binds a dashboard session to the SHA-256 of the key it was opened with, so a session of the
 * bootstrap key (`BOUNCER_API_KEY`, no row in `api_keys`) ends when that setting is rotated or
 * unset. Sessions opened before this migration have none and are refused (sign in again).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('dashboard_sessions').addColumn('key_hash', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('dashboard_sessions').dropColumn('key_hash').execute();
}
