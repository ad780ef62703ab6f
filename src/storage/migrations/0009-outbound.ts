import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The transactional outbox for signed change events (and, later, provider sync): subscriptions,
 * and one delivery row per subscriber per change, written in the transaction that makes the
 * change. `order_key` (subscription + address) keeps deliveries for one address in order;
 * `dedup_key` makes the expiry sweep idempotent (one suppression.expired per row and end).
 */
export async function up(db: Kysely<unknown>, { caps }: MigrationContext): Promise<void> {
  const big = caps.bigintType;
  await db.schema
    .createTable('outbound_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('events', 'text')
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('outbound_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('order_key', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.unique())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', big, (c) => c.notNull())
    .addColumn('locked_until', big)
    .addColumn('last_error', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .addColumn('delivered_at', big)
    .execute();
  await db.schema
    .createIndex('outbound_deliveries_due_idx')
    .on('outbound_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('outbound_deliveries_order_idx')
    .on('outbound_deliveries')
    .columns(['order_key', 'status', 'id'])
    .execute();
  await db.schema
    .createIndex('suppressions_expires_idx')
    .on('suppressions')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('suppressions_expires_idx').execute();
  await db.schema.dropTable('outbound_deliveries').ifExists().execute();
  await db.schema.dropTable('outbound_subscriptions').ifExists().execute();
}
