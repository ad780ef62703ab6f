import type { BatchItem } from '../types.js';
import { normaliseEmail } from '../../core/address.js';
import { classifyBounce } from '../../core/classify.js';
import { makeEvent, type EventType, type NormalisedEvent } from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { enhancedStatusOf, smtpCodeOf } from '../shared/diagnostic.js';
import { isObject, toEpochMs } from '../shared/json-body.js';
import { textOrNull } from '../shared/json-lossless.js';

/**
 * One Brevo webhook event (spec B §6.3–§6.4), transactional or marketing shape → one normalised
 * event, a skip (contact and inbound events, unknown names) or an item error.
 */
export type BrevoItem = BatchItem;

type Json = Record<string, unknown>;
type Base = Pick<
  NormalisedEvent,
  'channel' | 'address' | 'occurredAt' | 'dedupKey' | 'providerMessageId' | 'campaign' | 'details'
>;
type Mapper = (e: Json, base: Base) => NormalisedEvent;

const str = textOrNull;

/** `date` is `YYYY-MM-DD HH:mm:ss` in the account's time zone (§6.4): read as UTC, a last resort. */
function dateField(v: unknown): number | null {
  const m = typeof v === 'string' ? /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)$/.exec(v.trim()) : null;
  if (!m) return null;
  const t = Date.parse(`${m[1]}T${m[2]}Z`);
  return Number.isNaN(t) ? null : t;
}

/**
 * §6.4: `ts_epoch` is documented as UTC milliseconds but seen as seconds too (toEpochMs tells them
 * apart by magnitude); `ts_event`/`ts` are seconds; marketing events carry `ts_event`, `date_event`.
 */
function occurredAtOf(e: Json, fallback: number): number {
  for (const field of ['ts_epoch', 'ts_event', 'ts']) {
    const v = e[field];
    if (v !== undefined && v !== null) {
      const t = toEpochMs(v, Number.NaN);
      if (!Number.isNaN(t)) return t;
    }
  }
  return dateField(e.date_event) ?? dateField(e.date) ?? fallback;
}

function tagsOf(e: Json): string[] {
  if (Array.isArray(e.tags)) return e.tags.filter((t): t is string => typeof t === 'string');
  const tag = str(e.tag);
  return tag === null ? [] : [tag];
}

function baseOf(e: Json, name: string, fallbackAt: number): Base | string {
  const raw = str(e.email);
  if (raw === null) return 'missing email';
  const address = normaliseEmail(raw);
  if (!address.ok) return `invalid email: ${address.error}`;
  const tags = tagsOf(e);
  const details: Json = { event: name };
  if (tags.length > 0) details.tags = tags;
  for (const [from, to] of [
    ['template_id', 'templateId'],
    ['camp_id', 'campaignId'],
    ['sending_ip', 'sendingIp'],
    ['contact_id', 'contactId'],
    ['link', 'url'],
  ] as const) {
    const v = str(e[from]);
    if (v !== null) details[to] = v;
  }
  if (Array.isArray(e.list_id)) details.listIds = e.list_id;
  const messageId = str(e['message-id']) ?? str(e.messageId);
  return {
    channel: 'email',
    address: address.address,
    occurredAt: occurredAtOf(e, fallbackAt),
    // §6.4: `id` is the webhook/account id, not an event id; Brevo has none, so hash (§10.2).
    dedupKey: dedupHash(
      'brevo',
      name,
      messageId,
      address.address,
      str(e.ts_epoch) ?? str(e.ts_event) ?? str(e.ts) ?? str(e.date),
      str(e.link),
      str(e.camp_id),
    ),
    providerMessageId: messageId,
    campaign: str(e['campaign name']) ?? str(e.camp_id) ?? tags[0] ?? null,
    details,
  };
}

function smtpOf(e: Json) {
  // §6.4: the reason may start with a space (" RecipientError: 550 5.5.0 …").
  const diagnostic = str(e.reason)?.trim() ?? null;
  return {
    diagnostic,
    smtpCode: smtpCodeOf(diagnostic?.replace(/^[A-Za-z]+Error:\s*/, '') ?? null),
    enhancedStatus: enhancedStatusOf(null, diagnostic),
  };
}

function bounce(severity: 'hard' | 'soft'): Mapper {
  return (e, base) => {
    const smtp = smtpOf(e);
    const c = classifyBounce({ ...smtp, providerSeverity: severity });
    return makeEvent({
      ...base,
      ...smtp,
      type: 'bounce',
      reason: c.suppression,
      severity: c.severity,
      fineReason: c.fineReason,
    });
  };
}

const plain =
  (type: EventType, fields: Partial<NormalisedEvent> = {}): Mapper =>
  (e, base) =>
    makeEvent({
      ...base,
      ...(type === 'deferred' || type === 'dropped' ? smtpOf(e) : {}),
      ...fields,
      type,
    });

const open = plain('open');
const unsubscribe = plain('unsubscribe', { reason: 'unsubscribe' });
const complaint = plain('complaint', { reason: 'spam_complaint', fineReason: 'feedback' });

/**
 * Payload names of §6.3, with the spellings seen in the wild (`complaint`, `unsubscribe`) and the
 * subscription names, in case a payload ever carries those.
 */
const MAPPERS: ReadonlyMap<string, Mapper> = new Map<string, Mapper>([
  ['request', plain('processed')],
  ['sent', plain('processed')],
  ['delivered', plain('delivered')],
  ['hard_bounce', bounce('hard')],
  ['hardbounce', bounce('hard')],
  ['soft_bounce', bounce('soft')],
  ['softbounce', bounce('soft')],
  ['deferred', plain('deferred')],
  // Brevo did not send: the address is on its blocklist (an earlier hard bounce, complaint or
  // unsubscribe, not said which), so it is recorded, not suppressed for a guessed reason.
  ['blocked', plain('dropped', { fineReason: 'suppressed' })],
  [
    'invalid_email',
    plain('bounce', { reason: 'hard_bounce', severity: 'hard', fineReason: 'userunknown' }),
  ],
  [
    'invalid',
    plain('bounce', { reason: 'hard_bounce', severity: 'hard', fineReason: 'userunknown' }),
  ],
  ['spam', complaint],
  ['complaint', complaint],
  ['unsubscribed', unsubscribe],
  ['unsubscribe', unsubscribe],
  ['error', plain('dropped', { fineReason: 'systemerror' })],
  ['opened', open],
  ['unique_opened', open],
  ['uniqueopened', open],
  ['proxy_open', open],
  ['proxyopen', open],
  ['unique_proxy_open', open],
  ['unique_proxy_opened', open],
  ['uniqueproxyopen', open],
  ['click', plain('click')],
]);

export function mapBrevoEvent(raw: unknown, fallbackAt: number): BrevoItem {
  if (!isObject(raw)) return { kind: 'error', error: 'event is not an object' };
  const name = str(raw.event);
  if (name === null) return { kind: 'error', error: 'missing event' };
  const mapper = MAPPERS.get(name.toLowerCase());
  if (!mapper) return { kind: 'skip', reason: `unknown event type ${name.slice(0, 40)}` };
  const base = baseOf(raw, name, fallbackAt);
  return typeof base === 'string'
    ? { kind: 'error', error: base }
    : { kind: 'event', event: mapper(raw, base) };
}
