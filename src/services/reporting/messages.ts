import { AppError } from '../../core/errors.js';
import type { Db } from '../../storage/database.js';
import { listForMessage } from '../../storage/repositories/event.repository.js';
import { eventRowToJson, type EventJson } from '../suppressions/suppressions.js';

/** A message's timeline is short; this bounds a pathological id shared by very many events. */
export const MAX_TIMELINE_EVENTS = 1_000;

/**
 * The delivery outcome of a recipient, strongest first: a complaint outranks the delivery it
 * follows, a bounce outranks earlier deferrals. Engagement (open, click) and unsubscribes are
 * in the timeline but do not change the outcome.
 */
const OUTCOME_RANK = [
  'complaint',
  'bounce',
  'dropped',
  'delivered',
  'deferred',
  'processed',
] as const;

export interface MessageTimeline {
  provider_message_id: string;
  providers: string[];
  campaign: string | null;
  recipients: Array<{
    channel: string;
    address: string;
    status: string | null;
    last_event_at: string;
  }>;
  first_event_at: string;
  last_event_at: string;
  /** Oldest first. */
  events: EventJson[];
  /** True when the message has more than MAX_TIMELINE_EVENTS events and the rest were left out. */
  truncated: boolean;
}

export class MessageService {
  constructor(private readonly deps: { db: Db }) {}

  async timeline(providerMessageId: string): Promise<MessageTimeline> {
    const rows = await listForMessage(
      this.deps.db.kysely,
      providerMessageId,
      MAX_TIMELINE_EVENTS + 1,
    );
    if (rows.length === 0)
      throw new AppError('BOUNCER_ERR_NOT_FOUND', 'No events for this provider message id');
    const page = rows.slice(0, MAX_TIMELINE_EVENTS);
    const recipients = new Map<
      string,
      { channel: string; address: string; status: string | null; rank: number; last: number }
    >();
    for (const e of page) {
      const key = `${e.channel}\u0000${e.address}`;
      const r = recipients.get(key) ?? {
        channel: e.channel,
        address: e.address,
        status: null,
        rank: OUTCOME_RANK.length,
        last: 0,
      };
      const rank = (OUTCOME_RANK as readonly string[]).indexOf(e.type);
      if (rank !== -1 && rank <= r.rank) Object.assign(r, { status: e.type, rank });
      r.last = Math.max(r.last, Number(e.occurred_at));
      recipients.set(key, r);
    }
    const iso = (ms: number): string => new Date(ms).toISOString();
    return {
      provider_message_id: providerMessageId,
      providers: [...new Set(page.map((e) => e.provider))],
      campaign: page.find((e) => e.campaign !== null)?.campaign ?? null,
      recipients: [...recipients.values()].map((r) => ({
        channel: r.channel,
        address: r.address,
        status: r.status,
        last_event_at: iso(r.last),
      })),
      first_event_at: iso(Number(page[0]!.occurred_at)),
      last_event_at: iso(Number(page[page.length - 1]!.occurred_at)),
      events: page.map(eventRowToJson),
      truncated: rows.length > MAX_TIMELINE_EVENTS,
    };
  }
}
