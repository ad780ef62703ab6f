import type { BatchItem } from '../types.js';
import { normaliseEmail } from '../../core/address.js';
import { classifyBounce } from '../../core/classify.js';
import { GLOBAL_SCOPE, makeEvent, type NormalisedEvent, type Reason } from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { enhancedStatusOf, smtpCodeOf, stripDiagnosticType } from '../shared/diagnostic.js';
import { isObject, toEpochMs } from '../shared/json-body.js';

/**
 * One Mailgun `event-data` object (spec §1.3–§1.5) → a normalised event, or a skip naming the
 * event type Bouncer does not use. Legacy form posts are first rewritten into this shape
 * (mailgun-legacy.ts), so both go through the same rules.
 */
export type MailgunItem = BatchItem;

type Json = Record<string, unknown>;
type Base = Pick<
  NormalisedEvent,
  'channel' | 'address' | 'occurredAt' | 'dedupKey' | 'providerMessageId' | 'campaign' | 'details'
>;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const MS_PER_SECOND = 1_000;

/** §1.5: Mailgun did not send because the address is already on one of its lists (code 605…). */
const SUPPRESS_REASONS: Readonly<Record<string, Reason>> = {
  'suppress-bounce': 'hard_bounce',
  'suppress-complaint': 'spam_complaint',
  'suppress-unsubscribe': 'unsubscribe',
};

/** Stable JSON (sorted keys): the same event re-delivered hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

function tagsOf(e: Json): string[] {
  const tags = Array.isArray(e.tags) ? e.tags : [];
  return tags.filter((t): t is string => typeof t === 'string' && t !== '').slice(0, 20);
}

/**
 * A `rejected` event refuses the whole message at the API (§1.5), so Mailgun may send it without
 * `recipient`: the message's To header then names the recipient, if it names exactly one.
 */
function soleToAddress(headers: Json): string | null {
  const to = str(headers.to);
  return to !== null && to.indexOf('@') === to.lastIndexOf('@') ? to : null;
}

function baseOf(e: Json, receivedAt: number, account: string | null): Base | string {
  const headers = isObject(e.message) && isObject(e.message.headers) ? e.message.headers : {};
  const recipient =
    str(e.recipient) ??
    (str(e.event)?.toLowerCase() === 'rejected' ? soleToAddress(headers) : null);
  if (recipient === null) return 'missing recipient';
  const address = normaliseEmail(recipient);
  if (!address.ok) return `invalid recipient: ${address.error}`;
  const occurredAt = toEpochMs(e.timestamp, receivedAt);
  const tags = tagsOf(e);
  const details: Json = {};
  if (tags.length > 0) details.tags = tags;
  if (account !== null) details.account = account;
  const id = str(e.id);
  if (id !== null) details.eventId = id;
  // §1.4 / §10.2: `id` is unique only within a day, so the day (the event's second) is part of
  // the key; legacy posts carry no id and are keyed by their one-time token with what the post
  // says (a retry repeats all of it; two events under one reused token stay two).
  const dedupKey =
    id !== null
      ? dedupHash('mailgun', id, Math.floor(occurredAt / MS_PER_SECOND))
      : str(e['legacy-token']) !== null
        ? dedupHash('mailgun-legacy', str(e['legacy-token']), canonicalJson(e))
        : dedupHash('mailgun', canonicalJson(e));
  return {
    channel: 'email',
    address: address.address,
    occurredAt,
    dedupKey,
    providerMessageId: str(headers['message-id'])?.replace(/^<|>$/g, '') ?? null,
    campaign: tags[0] ?? null,
    details,
  };
}

function deliveryStatus(e: Json): {
  smtpCode: string | null;
  enhancedStatus: string | null;
  diagnostic: string | null;
  details: Json;
} {
  const ds = isObject(e['delivery-status']) ? e['delivery-status'] : {};
  const text =
    stripDiagnosticType(str(ds.message)) ??
    stripDiagnosticType(str(ds.description)) ??
    str(isObject(e.reject) ? e.reject.reason : null);
  const code = typeof ds.code === 'number' ? String(ds.code) : str(ds.code);
  const smtpCode = code !== null && /^[245]\d\d$/.test(code) ? code : smtpCodeOf(text);
  const details: Json = {};
  if (code !== null) details.deliveryStatusCode = code;
  if (typeof ds['attempt-no'] === 'number') details.attemptNo = ds['attempt-no'];
  if (typeof ds['retry-seconds'] === 'number') details.retrySeconds = ds['retry-seconds'];
  const mx = str(ds['mx-host']);
  if (mx !== null) details.mxHost = mx;
  return {
    smtpCode,
    enhancedStatus: enhancedStatusOf(str(ds['enhanced-code']) ?? str(ds['bounce-code']), text),
    diagnostic: text,
    details,
  };
}

function failedEvent(e: Json, base: Base): NormalisedEvent {
  const severity = str(e.severity)?.toLowerCase() ?? null;
  const reasonCode = str(e.reason)?.toLowerCase() ?? null;
  const ds = deliveryStatus(e);
  const flags = isObject(e.flags) ? e.flags : {};
  const details: Json = { ...base.details, ...ds.details, severity, reason: reasonCode };
  if (flags['is-delayed-bounce'] === true) details.delayedBounce = true;
  const common = { ...base, smtpCode: ds.smtpCode, enhancedStatus: ds.enhancedStatus, details };
  const diagnostic = ds.diagnostic;
  const suppressed = reasonCode !== null ? SUPPRESS_REASONS[reasonCode] : undefined;
  if (suppressed) {
    return makeEvent({
      ...common,
      type: 'dropped',
      reason: suppressed,
      severity: suppressed === 'hard_bounce' ? 'hard' : null,
      fineReason: 'suppressed',
      diagnostic,
    });
  }
  // §1.5: `old` means Mailgun gave up retrying temporary failures, whatever the severity says.
  if (reasonCode === 'old') {
    return makeEvent({
      ...common,
      type: 'bounce',
      reason: 'soft_bounce',
      severity: 'soft',
      fineReason: 'expired',
      diagnostic,
    });
  }
  // No severity (older payloads): the delivery-status code says it, a 4xx being temporary.
  const code = String(details.deliveryStatusCode ?? ds.smtpCode ?? '');
  const temporary = severity === null ? code.startsWith('4') : severity !== 'permanent';
  if (temporary) {
    // Temporary: Mailgun retries on its own (spec §1.5), so this is a deferral, not a bounce.
    return makeEvent({ ...common, type: 'deferred', severity: 'soft', diagnostic });
  }
  const c = classifyBounce({
    enhancedStatus: ds.enhancedStatus,
    smtpCode: ds.smtpCode,
    diagnostic,
    providerSeverity: 'hard',
  });
  return makeEvent({
    ...common,
    type: 'bounce',
    reason: c.suppression,
    severity: c.severity,
    fineReason: c.fineReason,
    diagnostic,
  });
}

function unsubscribeEvent(e: Json, base: Base): NormalisedEvent {
  // A mailing-list unsubscribe only concerns that list (spec §1.5: domain / tag / list level);
  // the webhook does not say when an unsubscribe was tag-level, so those stay global.
  const list = isObject(e['mailing-list']) ? str(e['mailing-list'].address) : null;
  return makeEvent({
    ...base,
    type: 'unsubscribe',
    reason: 'unsubscribe',
    scope: list !== null ? `mailgun-list:${list.toLowerCase()}` : GLOBAL_SCOPE,
  });
}

function engagement(e: Json, base: Base, type: 'open' | 'click' | 'delivered'): NormalisedEvent {
  const details: Json = { ...base.details };
  const url = str(e.url);
  if (url !== null) details.url = url;
  if (type === 'delivered') Object.assign(details, deliveryStatus(e).details);
  return makeEvent({ ...base, type, details });
}

function rejectedEvent(e: Json, base: Base): NormalisedEvent {
  const reject = isObject(e.reject) ? e.reject : {};
  // An API-level refusal (sandbox, policy): the sender's problem, recorded only (spec §1.5).
  return makeEvent({
    ...base,
    type: 'dropped',
    diagnostic: str(reject.reason) ?? str(reject.description),
    details: { ...base.details, rejectDescription: str(reject.description) },
  });
}

type Mapper = (e: Json, base: Base) => NormalisedEvent;
const MAPPERS: ReadonlyMap<string, Mapper> = new Map<string, Mapper>([
  ['accepted', (_e, base) => makeEvent({ ...base, type: 'processed' })],
  ['delivered', (e, base) => engagement(e, base, 'delivered')],
  ['failed', failedEvent],
  ['rejected', rejectedEvent],
  ['opened', (e, base) => engagement(e, base, 'open')],
  ['clicked', (e, base) => engagement(e, base, 'click')],
  ['unsubscribed', unsubscribeEvent],
  ['complained', (_e, base) => makeEvent({ ...base, type: 'complaint', reason: 'spam_complaint' })],
]);

export function mapMailgunEvent(
  raw: unknown,
  receivedAt: number,
  account: string | null,
): MailgunItem {
  if (!isObject(raw)) return { kind: 'error', error: 'event-data is not an object' };
  const name = str(raw.event)?.toLowerCase() ?? null;
  if (name === null) return { kind: 'skip', reason: 'event-data names no event' };
  const mapper = MAPPERS.get(name);
  if (!mapper) return { kind: 'skip', reason: `unknown or unused Mailgun event ${name}` };
  const base = baseOf(raw, receivedAt, account);
  return typeof base === 'string'
    ? { kind: 'error', error: base }
    : { kind: 'event', event: mapper(raw, base) };
}
