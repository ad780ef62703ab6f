import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/** Written once with portable types and run on both engines. */
export async function up(db: Kysely<unknown>, { caps }: MigrationContext): Promise<void> {
  const big = caps.bigintType;
  await db.schema
    .createTable('suppressions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('first_event_at', big, (c) => c.notNull())
    .addColumn('last_event_at', big, (c) => c.notNull())
    .addColumn('expires_at', big)
    .addColumn('soft_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('soft_failures', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .addUniqueConstraint('suppressions_channel_address_scope_key', ['channel', 'address', 'scope'])
    .execute();
  await db.schema
    .createIndex('suppressions_reason_idx')
    .on('suppressions')
    .columns(['reason', 'created_at'])
    .execute();
  await db.schema
    .createIndex('suppressions_created_idx')
    .on('suppressions')
    .columns(['created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('suppressions_source_idx')
    .on('suppressions')
    .column('source')
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('severity', 'text')
    .addColumn('reason', 'text')
    .addColumn('fine_reason', 'text')
    .addColumn('smtp_code', 'text')
    .addColumn('enhanced_status', 'text')
    .addColumn('diagnostic', 'text')
    .addColumn('error_code', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('campaign', 'text')
    .addColumn('occurred_at', big, (c) => c.notNull())
    .addColumn('received_at', big, (c) => c.notNull())
    .addColumn('delivery_id', 'text')
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .addUniqueConstraint('events_provider_dedup_key', ['provider', 'dedup_key'])
    .execute();
  await db.schema
    .createIndex('events_address_idx')
    .on('events')
    .columns(['channel', 'address', 'occurred_at'])
    .execute();
  await db.schema
    .createIndex('events_message_idx')
    .on('events')
    .column('provider_message_id')
    .execute();
  await db.schema
    .createIndex('events_occurred_idx')
    .on('events')
    .columns(['occurred_at', 'type'])
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('received_at', big, (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('headers', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('body', caps.binaryType, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_at', big, (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', big)
    .addColumn('last_error', 'text')
    .addColumn('outcome', 'text')
    .addColumn('processed_at', big)
    .execute();
  await db.schema
    .createIndex('deliveries_queue_idx')
    .on('deliveries')
    .columns(['status', 'run_at', 'id'])
    .execute();
  await db.schema
    .createIndex('deliveries_received_idx')
    .on('deliveries')
    .columns(['received_at'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', big, (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('address', 'text')
    .addColumn('scope', 'text')
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('note', 'text')
    .execute();
  await db.schema
    .createIndex('audit_address_idx')
    .on('audit_log')
    .columns(['address', 'at'])
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('last_used_at', big)
    .addColumn('revoked_at', big)
    .execute();

  await db.schema
    .createTable('kv')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
  await sql`select 1`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['kv', 'api_keys', 'audit_log', 'deliveries', 'events', 'suppressions']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
