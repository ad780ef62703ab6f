import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Operations: alert state (one row per rule and group, claimed with a version check so several
 * instances never notify twice), the alert history, the notification outbox the alert loop
 * retries, and dashboard sessions (only the SHA-256 of the session id is stored).
 */
export async function up(db: Kysely<unknown>, { caps }: MigrationContext): Promise<void> {
  const big = caps.bigintType;
  await db.schema
    .createTable('alert_states')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('severity', 'text')
    .addColumn('value', 'double precision')
    .addColumn('threshold', 'double precision')
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('fired_at', big)
    .addColumn('resolved_at', big)
    .addColumn('updated_at', big, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('alert_transitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_key', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('transition', 'text', (c) => c.notNull())
    .addColumn('severity', 'text')
    .addColumn('value', 'double precision')
    .addColumn('threshold', 'double precision')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('at', big, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('alert_transitions_at_idx')
    .on('alert_transitions')
    .columns(['at'])
    .execute();

  await db.schema
    .createTable('alert_notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('transition_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', big, (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('sent_at', big)
    .execute();
  await db.schema
    .createIndex('alert_notifications_due_idx')
    .on('alert_notifications')
    .columns(['status', 'next_attempt_at'])
    .execute();

  await db.schema
    .createTable('dashboard_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('key_name', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('expires_at', big, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('dashboard_sessions_expires_idx')
    .on('dashboard_sessions')
    .columns(['expires_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'dashboard_sessions',
    'alert_notifications',
    'alert_transitions',
    'alert_states',
  ])
    await db.schema.dropTable(t).ifExists().execute();
}
