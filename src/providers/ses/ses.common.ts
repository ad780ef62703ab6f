import { normaliseEmail } from '../../core/address.js';
import { ParseError } from '../../core/errors.js';
import { GLOBAL_SCOPE, makeEvent, type NormalisedEvent } from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import type { ItemError } from '../types.js';

/** What the SES mappers share: the per-message context and one-event-per-recipient building. */

export type Json = Record<string, unknown>;

/**
 * How the SES record arrived: through SNS (the record is a JSON string in `Message`, spec A §3)
 * or EventBridge (an object in `detail`, spec C §7). `id` is the transport's id of the delivery:
 * SNS `MessageId` or the EventBridge event `id`, each stable across that transport's retries.
 */
export interface SesTransport {
  kind: 'sns' | 'eventbridge';
  id: string;
}

/** What every event of one SES message shares. */
export interface SesMessageContext {
  transport: SesTransport;
  mail: Json;
  providerMessageId: string | null;
  campaign: string | null;
  details: Json;
  /** Fallback occurrence time (mail timestamp, else the SNS Timestamp, else receipt), epoch ms. */
  fallbackAt: number;
}

export type Built = { events: NormalisedEvent[]; errors: ItemError[] };
export type Fields = Omit<
  Parameters<typeof makeEvent>[0],
  'channel' | 'address' | 'dedupKey' | 'occurredAt'
>;

/** Details stay small: absent provider fields are left out rather than stored as null. */
function withoutNulls(details: Json): Json {
  return Object.fromEntries(
    Object.entries(details).filter(([, v]) => v !== null && v !== undefined),
  );
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function timeOf(value: unknown, fallback: number): number {
  const t = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(t) ? t : fallback;
}

export function arrayOf(obj: Json, field: string, what: string): unknown[] {
  const value = obj[field];
  if (!Array.isArray(value)) throw new ParseError(`SES ${what} has no ${field} list`);
  return value;
}

/** One event per recipient; a recipient that is not an email address becomes an item error. */
export function recipientEvents(
  ctx: SesMessageContext,
  recipients: readonly unknown[],
  build: (recipient: unknown) => {
    raw: unknown;
    occurredAt: number;
    feedbackId: string | null;
    fields: Fields;
  },
): Built {
  const out: Built = { events: [], errors: [] };
  recipients.forEach((recipient, index) => {
    const { raw, occurredAt, feedbackId, fields } = build(recipient);
    if (typeof raw !== 'string')
      return void out.errors.push({ index, error: 'recipient has no email address' });
    const address = normaliseEmail(raw);
    if (!address.ok)
      return void out.errors.push({ index, error: `invalid recipient: ${address.error}` });
    const scope = fields.scope ?? GLOBAL_SCOPE;
    out.events.push(
      makeEvent({
        providerMessageId: ctx.providerMessageId,
        campaign: ctx.campaign,
        ...fields,
        details: withoutNulls({ ...ctx.details, ...fields.details }),
        channel: 'email',
        address: address.address,
        occurredAt,
        // §3.13: SNS MessageId is identical across SNS retries (the EventBridge `id` likewise,
        // spec C §7.6); feedbackId names the bounce. SNS keys keep their original form.
        dedupKey: dedupHash(
          ctx.transport.kind === 'sns' ? 'ses' : 'ses-eventbridge',
          ctx.transport.id,
          feedbackId,
          fields.type,
          scope,
          address.address,
        ),
      }),
    );
  });
  return out;
}
