import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.js';

type Q = Kysely<Database> | Transaction<Database>;

export type MailboxMessageStatus = 'stored' | 'unparsed';

/** Keys already taken from one mailbox, with what became of each. */
export async function listMailboxMessages(
  q: Q,
  mailbox: string,
): Promise<Map<string, MailboxMessageStatus>> {
  const rows = await q
    .selectFrom('mailbox_messages')
    .select(['message_key', 'status'])
    .where('mailbox', '=', mailbox)
    .execute();
  return new Map(rows.map((r) => [r.message_key, r.status as MailboxMessageStatus]));
}

export async function recordMailboxMessage(
  q: Q,
  row: {
    mailbox: string;
    messageKey: string;
    status: MailboxMessageStatus;
    deliveryId: string | null;
    seenAt: number;
  },
): Promise<void> {
  const values = {
    mailbox: row.mailbox,
    message_key: row.messageKey,
    status: row.status,
    delivery_id: row.deliveryId,
    seen_at: row.seenAt,
  };
  await q
    .insertInto('mailbox_messages')
    .values(values)
    .onConflict((oc) =>
      oc
        .columns(['mailbox', 'message_key'])
        .doUpdateSet({ status: row.status, delivery_id: row.deliveryId, seen_at: row.seenAt }),
    )
    .execute();
}

/** Forget keys the server no longer holds (deleted or moved away), in bounded chunks. */
export async function forgetMailboxMessages(
  q: Q,
  mailbox: string,
  keys: readonly string[],
): Promise<void> {
  for (let i = 0; i < keys.length; i += 500) {
    await q
      .deleteFrom('mailbox_messages')
      .where('mailbox', '=', mailbox)
      .where('message_key', 'in', keys.slice(i, i + 500))
      .execute();
  }
}
