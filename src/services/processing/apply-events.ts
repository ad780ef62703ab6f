import {
  decide,
  isActive,
  transition,
  type PolicyConfig,
  type SuppressionState,
} from '../../core/policy.js';
import { isoOrNull, type ChangeEvent } from '../../core/change-events.js';
import { queueChangeEvents } from '../outbound/change-outbox.js';
import type { NormalisedEvent, Reason } from '../../core/events.js';
import type { Capabilities, Db, DbExecutor } from '../../storage/database.js';
import { newId } from '../../storage/ids.js';
import type {
  NewAuditRow,
  NewEventRow,
  NewSuppressionRow,
  SuppressionRow,
} from '../../storage/schema.js';
import { insertAudit } from '../../storage/repositories/audit.repository.js';
import { insertEvents } from '../../storage/repositories/event.repository.js';
import { markSuppressionsChanged } from '../../storage/repositories/suppression-changes.repository.js';
import {
  deleteByKey,
  findByKeys,
  insertNew,
  suppressionKeyString,
  updateState,
  type SuppressionKey,
} from '../../storage/repositories/suppression.repository.js';

export interface SourcedEvent {
  provider: string;
  deliveryId: string | null;
  receivedAt: number;
  event: NormalisedEvent;
}

export interface SuppressionChange {
  kind: 'created' | 'updated' | 'lifted';
  channel: string;
  address: string;
  scope: string;
  reason: string;
  /** The row's source (for a lift: the provider whose event lifted it). */
  source: string;
  expiresAt: number | null;
  /** The row before the change (updated and lifted rows), to tell a new suppression from a touch. */
  previous: { reason: string; expiresAt: number | null } | null;
}

/** SQLite's prepared single-row inserts (Db), used when present instead of multi-row statements. */
export type PreparedInserts = Partial<
  Pick<Db, 'insertEventsPrepared' | 'insertSuppressionsPrepared'>
>;

export interface ApplyResult {
  /** Events stored for the first time (duplicates are skipped). */
  newEvents: SourcedEvent[];
  duplicates: number;
  changes: SuppressionChange[];
}

function rowToState(row: SuppressionRow): SuppressionState {
  return {
    reason: row.reason as Reason,
    source: row.source,
    firstEventAt: Number(row.first_event_at),
    lastEventAt: Number(row.last_event_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    softCount: row.soft_count,
    softFailures: JSON.parse(row.soft_failures) as number[],
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  };
}

function stateToRow(
  key: SuppressionKey,
  s: SuppressionState,
  id: string,
  now: number,
): NewSuppressionRow {
  return {
    id,
    channel: key.channel,
    address: key.address,
    scope: key.scope,
    reason: s.reason,
    source: s.source,
    first_event_at: s.firstEventAt,
    last_event_at: s.lastEventAt,
    expires_at: s.expiresAt,
    soft_count: s.softCount,
    soft_failures: JSON.stringify(s.softFailures),
    metadata: JSON.stringify(s.metadata),
    created_at: now,
    updated_at: now,
  };
}

function eventToRow(e: SourcedEvent): NewEventRow {
  const ev = e.event;
  return {
    id: newId(e.receivedAt),
    provider: e.provider,
    dedup_key: ev.dedupKey,
    type: ev.type,
    channel: ev.channel,
    address: ev.address,
    scope: ev.scope,
    severity: ev.severity,
    reason: ev.reason,
    fine_reason: ev.fineReason,
    smtp_code: ev.smtpCode,
    enhanced_status: ev.enhancedStatus,
    diagnostic: ev.diagnostic,
    error_code: ev.errorCode,
    provider_message_id: ev.providerMessageId,
    campaign: ev.campaign,
    occurred_at: ev.occurredAt,
    received_at: e.receivedAt,
    delivery_id: e.deliveryId,
    details: JSON.stringify(ev.details),
  };
}

const keyOfEvent = (e: NormalisedEvent): SuppressionKey => ({
  channel: e.channel,
  address: e.address,
  scope: e.scope,
});

/**
 * Store events and apply the policy to the new ones, inside the caller's transaction. Bulk by
 * design: one insert for the events, one read of the affected rows (locked on PostgreSQL), the
 * decisions in memory in event-time order, then bulk writes. Duplicates (same provider and dedup
 * key) change nothing.
 */
export async function applyEvents(
  trx: DbExecutor,
  caps: Capabilities,
  policy: PolicyConfig,
  events: readonly SourcedEvent[],
  now: number,
  prepared: PreparedInserts = {},
): Promise<ApplyResult> {
  if (events.length === 0) return { newEvents: [], duplicates: 0, changes: [] };
  // The same event twice in one batch: keep the first.
  const unique = new Map<string, SourcedEvent>();
  for (const e of events) {
    const k = `${e.provider}\u0000${e.event.dedupKey}`;
    if (!unique.has(k)) unique.set(k, e);
  }
  const inserted = await insertEvents(
    trx,
    [...unique.values()].map(eventToRow),
    prepared.insertEventsPrepared,
  );
  const newEvents = [...unique.entries()].filter(([k]) => inserted.has(k)).map(([, e]) => e);
  const duplicates = events.length - newEvents.length;
  if (newEvents.length === 0) return { newEvents, duplicates, changes: [] };

  const keys = new Map<string, SuppressionKey>();
  for (const e of newEvents)
    keys.set(suppressionKeyString(keyOfEvent(e.event)), keyOfEvent(e.event));
  const changes: SuppressionChange[] = [];
  let pending = [...keys.values()];
  // Rows created by another instance between our read and our insert are decided again from
  // the row it wrote (PostgreSQL); on SQLite the single writer makes the first pass final.
  for (let pass = 0; pending.length > 0 && pass < 3; pass++) {
    const keySet = new Set(pending.map(suppressionKeyString));
    const batch = newEvents.filter((e) => keySet.has(suppressionKeyString(keyOfEvent(e.event))));
    pending = await decideAndWrite(trx, caps, policy, pending, batch, now, changes, prepared);
  }
  if (pending.length > 0)
    throw Object.assign(new Error('suppression rows kept changing under us'), { code: '40001' });
  if (changes.length > 0) {
    await queueChangeEvents(trx, changeEventsOf(changes, now), now);
    await markSuppressionsChanged(trx, { deleted: changes.some((c) => c.kind === 'lifted') });
  }
  return { newEvents, duplicates, changes };
}

/** Every lift is audited: which provider's event, from which delivery, lifted what. */
function liftAudit(
  key: SuppressionKey,
  row: SuppressionRow,
  by: SourcedEvent,
  now: number,
): NewAuditRow {
  return {
    id: newId(now),
    at: now,
    actor: `provider:${by.provider}`,
    action: 'lift',
    channel: key.channel,
    address: key.address,
    scope: key.scope,
    before: JSON.stringify({
      reason: row.reason,
      source: row.source,
      since: Number(row.first_event_at),
      until: row.expires_at === null ? null : Number(row.expires_at),
    }),
    after: null,
    note: `${by.event.type} event${by.deliveryId ? ` (delivery ${by.deliveryId})` : ''}`,
  };
}

const prev = (row: SuppressionRow): SuppressionChange['previous'] => ({
  reason: row.reason,
  expiresAt: row.expires_at === null ? null : Number(row.expires_at),
});

const changeOf = (r: NewSuppressionRow) => ({
  channel: r.channel,
  address: r.address,
  scope: r.scope,
  reason: r.reason,
  source: r.source,
  expiresAt: r.expires_at ?? null,
});

/**
 * The signed change events a batch's changes make: `suppression.added` when a row comes into
 * force (new, or its reason or end changed while in force), `suppression.removed` when one is
 * lifted. Touches of a row already in force as it was (a repeated bounce) send nothing; a
 * cool-down ended early is the expiry sweep's `suppression.expired`.
 */
export function changeEventsOf(changes: readonly SuppressionChange[], now: number): ChangeEvent[] {
  const out: ChangeEvent[] = [];
  for (const c of changes) {
    const data = {
      address: c.address,
      channel: c.channel,
      scope: c.scope,
      reason: c.reason,
      source: c.source,
      until: isoOrNull(c.expiresAt),
    };
    if (c.kind === 'lifted') {
      out.push({ type: 'suppression.removed', at: now, data: { ...data, until: null } });
      continue;
    }
    if (!isActive({ expiresAt: c.expiresAt }, now)) continue;
    const p = c.previous;
    const same =
      p !== null &&
      isActive({ expiresAt: p.expiresAt }, now) &&
      p.reason === c.reason &&
      p.expiresAt === c.expiresAt;
    if (!same) out.push({ type: 'suppression.added', at: now, data });
  }
  return out;
}

async function decideAndWrite(
  trx: DbExecutor,
  caps: Capabilities,
  policy: PolicyConfig,
  keys: readonly SuppressionKey[],
  events: readonly SourcedEvent[],
  now: number,
  changes: SuppressionChange[],
  prepared: PreparedInserts,
): Promise<SuppressionKey[]> {
  const existing = await findByKeys(trx, caps, keys, true);
  const state = new Map<string, SuppressionState | null>();
  for (const k of keys) {
    const row = existing.get(suppressionKeyString(k));
    state.set(suppressionKeyString(k), row ? rowToState(row) : null);
  }
  const touched = new Set<string>();
  const lifted = new Map<string, { reason: string; source: string; by: SourcedEvent }>();
  const ordered = [...events].sort((a, b) => a.event.occurredAt - b.event.occurredAt);
  for (const e of ordered) {
    const k = suppressionKeyString(keyOfEvent(e.event));
    const current = state.get(k) ?? null;
    const source =
      typeof e.event.details.source === 'string' && e.provider === 'api'
        ? e.event.details.source
        : e.provider;
    const next = transition(current, decide(policy, e.event, source, current, e.provider), e.event);
    if (next.change === 'upsert' || next.change === 'reset-soft') {
      state.set(k, next.state);
      touched.add(k);
      if (next.change === 'upsert') lifted.delete(k);
    } else if (next.change === 'lift') {
      state.set(k, null);
      touched.delete(k);
      lifted.set(k, { reason: next.lifted.reason, source, by: e });
    }
  }
  const toInsert: NewSuppressionRow[] = [];
  const toUpdate: NewSuppressionRow[] = [];
  const byKey = new Map([...keys].map((k) => [suppressionKeyString(k), k]));
  for (const k of touched) {
    const s = state.get(k);
    const key = byKey.get(k);
    if (!s || !key) continue;
    const row = existing.get(k);
    if (row)
      toUpdate.push({ ...stateToRow(key, s, row.id, now), created_at: Number(row.created_at) });
    else toInsert.push(stateToRow(key, s, newId(now), now));
  }
  for (const [k, { reason, source, by }] of lifted) {
    const key = byKey.get(k);
    const row = existing.get(k);
    if (key && row) {
      await deleteByKey(trx, key);
      await insertAudit(trx, liftAudit(key, row, by, now));
      changes.push({
        kind: 'lifted',
        ...key,
        reason,
        source,
        expiresAt: null,
        previous: prev(row),
      });
    }
  }
  await updateState(trx, toUpdate);
  for (const r of toUpdate) {
    const row = existing.get(suppressionKeyString(r));
    changes.push({ kind: 'updated', ...changeOf(r), previous: row ? prev(row) : null });
  }
  const inserted = await insertNew(trx, toInsert, undefined, prepared.insertSuppressionsPrepared);
  const raced: SuppressionKey[] = [];
  for (const r of toInsert) {
    const k = suppressionKeyString(r);
    if (inserted.has(k)) changes.push({ kind: 'created', ...changeOf(r), previous: null });
    else raced.push({ channel: r.channel, address: r.address, scope: r.scope });
  }
  return raced;
}
