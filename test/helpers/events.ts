import { insertEvents } from '../../src/storage/repositories/event.repository.js';
import type { Db } from '../../src/storage/database.js';
import type { NewEventRow } from '../../src/storage/schema.js';

let seq = 0;

/** Store events as the worker would, with defaults for what a test does not care about. */
export async function storeEvents(
  db: Db,
  events: ReadonlyArray<Partial<NewEventRow> & Pick<NewEventRow, 'type' | 'occurred_at'>>,
): Promise<void> {
  const rows: NewEventRow[] = events.map((e) => {
    seq += 1;
    return {
      id: `ev${String(seq).padStart(8, '0')}`,
      provider: 'sendgrid',
      dedup_key: `k${seq}`,
      channel: 'email',
      address: 'jane@example.com',
      scope: '*',
      severity: null,
      reason: null,
      fine_reason: null,
      smtp_code: null,
      enhanced_status: null,
      diagnostic: null,
      error_code: null,
      provider_message_id: null,
      campaign: null,
      received_at: e.occurred_at,
      delivery_id: null,
      details: '{}',
      ...e,
    };
  });
  await insertEvents(db.kysely, rows);
}
