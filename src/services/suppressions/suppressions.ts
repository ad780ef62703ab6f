import { normaliseAddress, type Channel } from '../../core/address.js';
import { keyedAddress } from '../../core/address-hash.js';
import { isoTime, type Clock } from '../../core/clock.js';
import { AppError, validationError } from '../../core/errors.js';
import { GLOBAL_SCOPE, isReason, type Reason } from '../../core/events.js';
import { isActive, type PolicyConfig } from '../../core/policy.js';
import type { Db } from '../../storage/database.js';
import { newId } from '../../storage/ids.js';
import { insertAudit, listAudit } from '../../storage/repositories/audit.repository.js';
import { markSuppressionsChanged } from '../../storage/repositories/suppression-changes.repository.js';
import { listForAddress as eventsForAddress } from '../../storage/repositories/event.repository.js';
import {
  deleteByKey,
  list,
  listForAddress,
  updateState,
  type ListFilters,
} from '../../storage/repositories/suppression.repository.js';
import type { AuditRow, EventRow, SuppressionRow } from '../../storage/schema.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { exportSuppressions } from './export-suppressions.js';
import type { SuppressionIndex } from './suppression-index.js';
import type { RecordFormat } from '../../core/records.js';
import type { ChangeEventData } from '../../core/change-events.js';
import { queueChangeEvents } from '../outbound/change-outbox.js';

/** A row as a change event's `data`. */
export function changeData(r: {
  address: string;
  channel: string;
  scope: string;
  reason: string;
  source: string;
  expires_at: number | null;
}): ChangeEventData {
  return {
    address: r.address,
    channel: r.channel,
    scope: r.scope,
    reason: r.reason,
    source: r.source,
    until: iso(r.expires_at === null ? null : Number(r.expires_at)),
  };
}

/** What the single-address status shows of a row in force. */
export type StatusEntry = Pick<SuppressionEntry, 'scope' | 'reason' | 'source' | 'since' | 'until'>;

export interface SuppressionEntry {
  channel: Channel;
  address: string;
  scope: string;
  reason: string;
  source: string;
  since: string;
  until: string | null;
  active: boolean;
  soft_count: number;
  last_event_at: string;
  /** When Bouncer first recorded it: what lists and exports are ordered and filtered by. */
  created_at: string;
  metadata: Record<string, unknown>;
}

const iso = (ms: number | null): string | null => (ms === null ? null : isoTime(ms));

export function rowToEntry(r: SuppressionRow, now: number): SuppressionEntry {
  const expires = r.expires_at === null ? null : Number(r.expires_at);
  return {
    channel: r.channel as Channel,
    address: r.address,
    scope: r.scope,
    reason: r.reason,
    source: r.source,
    since: iso(Number(r.first_event_at))!,
    until: iso(expires),
    active: isActive({ expiresAt: expires }, now),
    soft_count: r.soft_count,
    last_event_at: iso(Number(r.last_event_at))!,
    created_at: iso(Number(r.created_at))!,
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
  };
}

/** An event as the API answers it: the stored row without its de-duplication key, ISO times, details parsed. */
export type EventJson = Flatten<
  Omit<EventRow, 'dedup_key' | 'occurred_at' | 'received_at' | 'details'> & {
    occurred_at: string;
    received_at: string;
    details: unknown;
  }
>;
type Flatten<T> = { [K in keyof T]: T[K] };

export function eventRowToJson(e: EventRow): EventJson {
  const { dedup_key: _dedupKey, occurred_at, received_at, details, ...rest } = e;
  return {
    ...rest,
    occurred_at: iso(Number(occurred_at))!,
    received_at: iso(Number(received_at))!,
    details: JSON.parse(details) as unknown,
  };
}

export function auditRowToJson(a: AuditRow): Record<string, unknown> {
  return {
    id: a.id,
    at: iso(Number(a.at)),
    actor: a.actor,
    action: a.action,
    channel: a.channel,
    address: a.address,
    scope: a.scope,
    before: a.before ? (JSON.parse(a.before) as unknown) : null,
    after: a.after ? (JSON.parse(a.after) as unknown) : null,
    note: a.note,
  };
}

export interface ManualChange {
  address: string;
  scope?: string | undefined;
  reason?: string | undefined;
  note: string;
  actor: string;
  /** Epoch ms; absent = permanent until removed. */
  expiresAt?: number | null | undefined;
}

/** Reading and hand-editing the suppression list; every manual change is audited. */
export class SuppressionService {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      policy: PolicyConfig;
      defaultPhoneRegion: string;
      index?: SuppressionIndex;
      pepper?: string | null;
      /** BOUNCER_PRIVACY_MODE=hashed: rows written and read under the keyed hash. */
      hashed?: boolean;
      /** Called after a change committed (wakes the outbound sender). */
      onChange?: () => void;
    },
  ) {}

  /** normalise(), then the form rows are stored under (the keyed hash in hashed mode). */
  normaliseStored(input: string, field = 'address'): { channel: Channel; address: string } {
    const n = this.normalise(input, field);
    const pepper = this.deps.pepper ?? null;
    return this.deps.hashed && pepper !== null
      ? { channel: n.channel, address: keyedAddress(pepper, n.channel, n.address) }
      : n;
  }

  normalise(input: string, field = 'address'): { channel: Channel; address: string } {
    const n = normaliseAddress(input, this.deps.defaultPhoneRegion);
    if (!n.ok) throw validationError(field, n.error);
    return { channel: n.channel, address: n.address };
  }

  /**
   * Is this address suppressed (globally, or in `scope`), and by which rows in force? Answered
   * from the in-memory index when it is current (no table read: a point lookup in memory), else
   * from the database.
   */
  async status(
    input: string,
    scope?: string,
  ): Promise<{ address: string; channel: Channel; suppressed: boolean; entries: StatusEntry[] }> {
    const { channel, address } = this.normalise(input);
    const now = this.deps.clock.now();
    const { index } = this.deps;
    let entries: StatusEntry[];
    if (index && (await index.current())) {
      entries = index.entries(channel, address, now).map((e) => ({
        scope: e.scope,
        reason: e.reason,
        source: e.source,
        since: iso(e.since)!,
        until: iso(e.expiresAt),
      }));
    } else {
      const rows = await listForAddress(this.deps.db.kysely, channel, address);
      const pepper = this.deps.pepper ?? null;
      if (pepper !== null)
        rows.push(
          ...(await listForAddress(
            this.deps.db.kysely,
            channel,
            keyedAddress(pepper, channel, address),
          )),
        );
      entries = rows
        .map((r) => rowToEntry(r, now))
        .filter((e) => e.active)
        .map((e) => ({
          scope: e.scope,
          reason: e.reason,
          source: e.source,
          since: e.since,
          until: e.until,
        }));
    }
    const suppressed = entries.some(
      (e) => e.scope === GLOBAL_SCOPE || (scope !== undefined && e.scope === scope),
    );
    return { address, channel, suppressed, entries };
  }

  async list(
    filters: ListFilters,
    limit: number,
    cursor: string | undefined,
  ): Promise<{ items: SuppressionEntry[]; next_cursor: string | null }> {
    const after = decodeCursor<{ c: number; i: string }>(cursor, ['c', 'i']);
    const now = this.deps.clock.now();
    const rows = await list(
      this.deps.db.kysely,
      filters,
      limit + 1,
      after ? { createdAt: after.c, id: after.i } : null,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => rowToEntry(r, now)),
      next_cursor:
        rows.length > limit && last
          ? encodeCursor({ c: Number(last.created_at), i: last.id })
          : null,
    };
  }

  /** The whole list (filters as in list()), streamed as CSV or NDJSON text. */
  export(filters: ListFilters, format: RecordFormat): AsyncGenerator<string> {
    return exportSuppressions(this.deps, filters, format);
  }

  async history(
    input: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<{
    address: string;
    channel: Channel;
    events: EventJson[];
    next_cursor: string | null;
  }> {
    const { channel, address } = this.normaliseStored(input);
    const before = decodeCursor<{ t: number; i: string }>(cursor, ['t', 'i']);
    const rows = await eventsForAddress(
      this.deps.db.kysely,
      channel,
      address,
      limit + 1,
      before ? { occurredAt: before.t, id: before.i } : null,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      address,
      channel,
      events: page.map(eventRowToJson),
      next_cursor:
        rows.length > limit && last
          ? encodeCursor({ t: Number(last.occurred_at), i: last.id })
          : null,
    };
  }

  async audit(
    input: string | undefined,
    limit: number,
    cursor: string | undefined,
  ): Promise<{ items: Record<string, unknown>[]; next_cursor: string | null }> {
    const address = input ? this.normaliseStored(input).address : undefined;
    const before = decodeCursor<{ i: string }>(cursor, ['i']);
    const rows = await listAudit(this.deps.db.kysely, { address }, limit + 1, before?.i ?? null);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(auditRowToJson),
      next_cursor: rows.length > limit && last ? encodeCursor({ i: last.id }) : null,
    };
  }

  async suppress(change: ManualChange): Promise<SuppressionEntry> {
    const { channel, address } = this.normaliseStored(change.address);
    const reason: Reason =
      change.reason === undefined
        ? 'manual'
        : isReason(change.reason)
          ? change.reason
          : (() => {
              throw validationError('reason', `must be one of the known reasons`);
            })();
    if (!change.note?.trim()) throw validationError('note', 'a note saying why is required');
    const scope = change.scope?.trim() || GLOBAL_SCOPE;
    const now = this.deps.clock.now();
    if (change.expiresAt !== undefined && change.expiresAt !== null && change.expiresAt <= now)
      throw validationError('expires_at', 'must be in the future');
    const entry = await this.deps.db.kysely.transaction().execute(async (trx) => {
      const before = (await listForAddress(trx, channel, address)).find((r) => r.scope === scope);
      const row = {
        id: before?.id ?? newId(now),
        channel,
        address,
        scope,
        reason,
        source: 'manual',
        first_event_at: before ? Number(before.first_event_at) : now,
        last_event_at: now,
        expires_at: change.expiresAt ?? null,
        soft_count: before?.soft_count ?? 0,
        soft_failures: before?.soft_failures ?? '[]',
        metadata: JSON.stringify({
          ...(before ? (JSON.parse(before.metadata) as object) : {}),
          note: change.note,
          by: change.actor,
        }),
        created_at: before ? Number(before.created_at) : now,
        updated_at: now,
      };
      await updateState(trx, [row]);
      await insertAudit(trx, {
        id: newId(now),
        at: now,
        actor: change.actor,
        action: 'suppress',
        channel,
        address,
        scope,
        before: before ? JSON.stringify(rowToEntry(before, now)) : null,
        after: JSON.stringify(rowToEntry(row, now)),
        note: change.note,
      });
      const wasInForce =
        before !== undefined &&
        isActive(
          { expiresAt: before.expires_at === null ? null : Number(before.expires_at) },
          now,
        ) &&
        before.reason === row.reason &&
        (before.expires_at === null ? null : Number(before.expires_at)) === row.expires_at;
      if (!wasInForce)
        await queueChangeEvents(
          trx,
          [{ type: 'suppression.added', at: now, data: changeData(row) }],
          now,
        );
      await markSuppressionsChanged(trx, { deleted: false });
      return rowToEntry(row, now);
    });
    this.deps.onChange?.();
    return entry;
  }

  /** Remove an address's suppression in one scope (`*` by default) or, with `all`, every scope. */
  async unsuppress(
    change: Omit<ManualChange, 'reason' | 'expiresAt'>,
  ): Promise<{ removed: SuppressionEntry[] }> {
    const { channel, address } = this.normaliseStored(change.address);
    if (!change.note?.trim()) throw validationError('note', 'a note saying why is required');
    const scope = change.scope?.trim() || GLOBAL_SCOPE;
    const now = this.deps.clock.now();
    const result = await this.deps.db.kysely.transaction().execute(async (trx) => {
      const rows = (await listForAddress(trx, channel, address)).filter(
        (r) => scope === 'all' || r.scope === scope,
      );
      if (rows.length === 0)
        throw new AppError(
          'BOUNCER_ERR_NOT_FOUND',
          `no suppression for this address in scope ${scope}`,
        );
      for (const r of rows) {
        await deleteByKey(trx, r);
        await insertAudit(trx, {
          id: newId(now),
          at: now,
          actor: change.actor,
          action: 'unsuppress',
          channel,
          address,
          scope: r.scope,
          before: JSON.stringify(rowToEntry(r, now)),
          after: null,
          note: change.note,
        });
      }
      await queueChangeEvents(
        trx,
        rows.map((r) => ({
          type: 'suppression.removed' as const,
          at: now,
          data: { ...changeData(r), source: 'manual', until: null },
        })),
        now,
      );
      await markSuppressionsChanged(trx, { deleted: true });
      return { removed: rows.map((r) => rowToEntry(r, now)) };
    });
    this.deps.onChange?.();
    return result;
  }
}
