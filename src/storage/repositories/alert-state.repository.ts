import type { Insertable, Kysely, Transaction } from 'kysely';
import type {
  AlertNotificationRow,
  AlertNotificationsTable,
  AlertStateRow,
  AlertStatesTable,
  AlertTransitionRow,
  AlertTransitionsTable,
  Database,
} from '../schema.js';

type Q = Kysely<Database> | Transaction<Database>;

export async function listAlertStates(q: Q): Promise<AlertStateRow[]> {
  return q.selectFrom('alert_states').selectAll().orderBy('key').execute();
}

/**
 * Claim a state transition. A new key is inserted (conflict = another instance won); an existing
 * one is updated only if its version is still the one we read. Returns true when this caller won
 * and must record and notify the transition; false when another instance already did.
 */
export async function claimAlertTransition(
  q: Q,
  current: AlertStateRow | undefined,
  next: Omit<Insertable<AlertStatesTable>, 'version'>,
): Promise<boolean> {
  if (!current) {
    const res = await q
      .insertInto('alert_states')
      .values({ ...next, version: 1 })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .execute();
    return res.length === 1;
  }
  const res = await q
    .updateTable('alert_states')
    .set({ ...next, version: current.version + 1 })
    .where('key', '=', current.key)
    .where('version', '=', current.version)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Refresh the measured value of a state that keeps its status (no transition, no version bump). */
export async function touchAlertState(
  q: Q,
  key: string,
  value: number | null,
  message: string,
  now: number,
): Promise<void> {
  await q
    .updateTable('alert_states')
    .set({ value, message, updated_at: now })
    .where('key', '=', key)
    .execute();
}

export async function insertAlertTransition(
  q: Q,
  row: Insertable<AlertTransitionsTable>,
): Promise<void> {
  await q.insertInto('alert_transitions').values(row).execute();
}

export async function listAlertTransitions(
  q: Q,
  since: number,
  limit: number,
): Promise<AlertTransitionRow[]> {
  return q
    .selectFrom('alert_transitions')
    .selectAll()
    .where('at', '>=', since)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function insertAlertNotifications(
  q: Q,
  rows: ReadonlyArray<Insertable<AlertNotificationsTable>>,
): Promise<void> {
  if (rows.length > 0)
    await q
      .insertInto('alert_notifications')
      .values([...rows])
      .execute();
}

/**
 * Claim due notifications for one sending attempt: each row is leased by moving its
 * next_attempt_at forward where it still has the value we read, so two instances never send
 * the same attempt.
 */
export async function claimDueNotifications(
  q: Q,
  now: number,
  leaseMs: number,
  limit: number,
): Promise<AlertNotificationRow[]> {
  const due = await q
    .selectFrom('alert_notifications')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
  const claimed: AlertNotificationRow[] = [];
  for (const row of due) {
    const res = await q
      .updateTable('alert_notifications')
      .set({ next_attempt_at: now + leaseMs, attempts: row.attempts + 1 })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '=', row.next_attempt_at)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 1) claimed.push({ ...row, attempts: row.attempts + 1 });
  }
  return claimed;
}

export async function finishNotification(
  q: Q,
  id: string,
  outcome: {
    status: 'sent' | 'dead' | 'pending';
    now: number;
    nextAttemptAt?: number;
    error?: string | null;
  },
): Promise<void> {
  await q
    .updateTable('alert_notifications')
    .set({
      status: outcome.status,
      last_error: outcome.error ?? null,
      ...(outcome.status === 'sent' ? { sent_at: outcome.now } : {}),
      ...(outcome.nextAttemptAt !== undefined ? { next_attempt_at: outcome.nextAttemptAt } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function listAlertNotifications(q: Q, limit: number): Promise<AlertNotificationRow[]> {
  return q
    .selectFrom('alert_notifications')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
