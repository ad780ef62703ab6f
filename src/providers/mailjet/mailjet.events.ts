import type { BatchItem } from '../types.js';
import { normaliseEmail } from '../../core/address.js';
import { classifyBounce } from '../../core/classify.js';
import {
  GLOBAL_SCOPE,
  makeEvent,
  type EventType,
  type NormalisedEvent,
} from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { enhancedStatusOf, smtpCodeOf } from '../shared/diagnostic.js';
import { isObject, toEpochMs } from '../shared/json-body.js';
import { textOrNull } from '../shared/json-lossless.js';
import { mailjetError } from './mailjet-errors.js';

/**
 * One Mailjet Event API object (spec B §7.3) → one normalised event, a skip or an item error.
 * The body was parsed losslessly: `MessageID` exceeds 2^53 and arrives here as exact text.
 */
export type MailjetItem = BatchItem;

type Json = Record<string, unknown>;
type Base = Pick<
  NormalisedEvent,
  'channel' | 'address' | 'occurredAt' | 'dedupKey' | 'providerMessageId' | 'campaign' | 'details'
>;
type Mapper = (e: Json, base: Base) => NormalisedEvent;

const str = textOrNull;
/** Mailjet sends `0` for "no campaign / no list". */
const nonZero = (v: unknown): string | null => {
  const s = str(v);
  return s === null || s === '0' ? null : s;
};

function baseOf(e: Json, name: string, fallbackAt: number): Base | string {
  const raw = str(e.email);
  if (raw === null) return 'missing email';
  const address = normaliseEmail(raw);
  if (!address.ok) return `invalid email: ${address.error}`;
  const messageId = str(e.MessageID);
  const guid = str(e.Message_GUID);
  const details: Json = { event: name };
  for (const [from, to] of [
    ['Message_GUID', 'messageGuid'],
    ['CustomID', 'customId'],
    ['mj_campaign_id', 'campaignId'],
    ['mj_contact_id', 'contactId'],
    ['mj_list_id', 'listId'],
    ['error_related_to', 'errorRelatedTo'],
    ['error', 'error'],
    ['source', 'source'],
    ['url', 'url'],
  ] as const) {
    const v = from.startsWith('mj_') ? nonZero(e[from]) : str(e[from]);
    if (v !== null) details[to] = v;
  }
  for (const flag of ['blocked', 'hard_bounce'] as const)
    if (typeof e[flag] === 'boolean')
      details[flag === 'hard_bounce' ? 'hardBounce' : flag] = e[flag];
  return {
    channel: 'email',
    address: address.address,
    occurredAt: toEpochMs(e.time, fallbackAt),
    // §7.3: no event id; §10.2's key, with the exact MessageID text for events without a GUID.
    dedupKey: dedupHash('mailjet', name, guid, messageId, address.address, str(e.time), str(e.url)),
    providerMessageId: messageId ?? guid,
    campaign: str(e.customcampaign) ?? nonZero(e.mj_campaign_id),
    details,
  };
}

function smtpOf(e: Json) {
  const diagnostic = str(e.smtp_reply) ?? str(e.comment);
  return {
    diagnostic,
    smtpCode: smtpCodeOf(diagnostic),
    enhancedStatus: enhancedStatusOf(null, diagnostic),
  };
}

/** §7.3 "greylisted: temporary; will be re-attempted": a deferral, whichever event carries it. */
const isGreylisted = (e: Json): boolean =>
  e.hard_bounce !== true && str(e.error)?.trim().toLowerCase() === 'greylisted';

/** `bounce`: Mailjet's `hard_bounce` flag is the verdict for recipient errors (§7.3). */
const bounce: Mapper = (e, base) => {
  const hard = e.hard_bounce === true;
  const error = mailjetError(str(e.error_related_to), str(e.error));
  const smtp = smtpOf(e);
  if (isGreylisted(e)) return makeEvent({ ...base, ...smtp, type: 'deferred', severity: 'soft' });
  const read = classifyBounce({ ...smtp, providerSeverity: hard ? 'hard' : 'soft' });
  const fineReason = error?.fineReason ?? read.fineReason;
  if (error?.side === 'sender')
    return makeEvent({
      ...base,
      ...smtp,
      type: 'bounce',
      reason: null,
      severity: hard ? 'hard' : 'soft',
      fineReason,
    });
  return makeEvent({
    ...base,
    ...smtp,
    type: 'bounce',
    reason: hard ? 'hard_bounce' : 'soft_bounce',
    severity: hard ? 'hard' : 'soft',
    fineReason,
  });
};

/** `blocked`: Mailjet did not send; only an error that proves the address's state suppresses. */
const blocked: Mapper = (e, base) => {
  if (isGreylisted(e))
    return makeEvent({ ...base, ...smtpOf(e), type: 'deferred', severity: 'soft' });
  const error = mailjetError(str(e.error_related_to), str(e.error));
  const reason = error?.blocked ?? null;
  return makeEvent({
    ...base,
    ...smtpOf(e),
    type: 'dropped',
    reason,
    severity: reason === 'hard_bounce' ? 'hard' : null,
    fineReason: error?.fineReason ?? null,
  });
};

const plain =
  (type: EventType, fields: Partial<NormalisedEvent> = {}): Mapper =>
  (e, base) =>
    makeEvent({
      ...base,
      ...(type === 'delivered'
        ? { details: { ...base.details, smtpReply: str(e.smtp_reply) } }
        : {}),
      ...fields,
      type,
    });

/** `unsub` from a contact list (`mj_list_id`) is scoped to that list; without one, global. */
const unsub: Mapper = (e, base) => {
  const list = nonZero(e.mj_list_id);
  return makeEvent({
    ...base,
    type: 'unsubscribe',
    reason: 'unsubscribe',
    scope: list === null ? GLOBAL_SCOPE : `mailjet-list:${list}`,
  });
};

const MAPPERS: ReadonlyMap<string, Mapper> = new Map<string, Mapper>([
  ['sent', plain('delivered')],
  ['open', plain('open')],
  ['click', plain('click')],
  ['bounce', bounce],
  ['blocked', blocked],
  ['spam', plain('complaint', { reason: 'spam_complaint', fineReason: 'feedback' })],
  ['unsub', unsub],
]);

export function mapMailjetEvent(raw: unknown, fallbackAt: number): MailjetItem {
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
