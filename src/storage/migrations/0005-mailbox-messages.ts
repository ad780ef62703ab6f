import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * What a mailbox scanner has already taken from a mailbox, by the server's message key (POP3
 * UIDL, IMAP `uidvalidity:uid`). POP3 keeps unparsed mail on the server, and a POP3 delete only
 * takes effect at QUIT, so without this a poll would ingest the same message again.
 */
export async function up(db: Kysely<unknown>, { caps }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('mailbox_messages')
    .addColumn('mailbox', 'text', (c) => c.notNull())
    .addColumn('message_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text')
    .addColumn('seen_at', caps.bigintType, (c) => c.notNull())
    .addPrimaryKeyConstraint('mailbox_messages_pkey', ['mailbox', 'message_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('mailbox_messages').execute();
}
