import type { BatchItem } from '../types.js';
import { normaliseEmail } from '../../core/address.js';
import { classifyBounce, type BounceClassification } from '../../core/classify.js';
import {
  GLOBAL_SCOPE,
  makeEvent,
  type EventType,
  type NormalisedEvent,
  type Reason,
  type Severity,
} from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { enhancedStatusOf, smtpCodeOf } from '../shared/diagnostic.js';

/**
 * One SendGrid event object (spec A §1.8–§1.11) → one normalised event, a skip (event types we do
 * not use) or an item error. Values, not exceptions: one bad event never fails its batch.
 */
export type SendgridItem = BatchItem;

type Json = Record<string, unknown>;
type Base = Pick<
  NormalisedEvent,
  'channel' | 'address' | 'occurredAt' | 'dedupKey' | 'providerMessageId' | 'campaign' | 'details'
>;

// §1.9: `timestamp` is Unix seconds, but Marketing single-send samples carry milliseconds.
const MS_TIMESTAMP_THRESHOLD = 1e12;
const MS_PER_SECOND = 1_000;

// §1.8 `dropped.reason`: the three reasons that mean SendGrid already suppresses the recipient,
// plus `Invalid` (a syntactically invalid address). Everything else (`Invalid SMTPAPI header`,
// `Spam Content`, `Recipient List over Package Quota`…) is the sender's problem.
const DROP_REASONS: Readonly<
  Record<string, { reason: Reason; severity: Severity | null; fineReason: string | null }>
> = {
  'bounced address': { reason: 'hard_bounce', severity: 'hard', fineReason: 'suppressed' },
  'unsubscribed address': { reason: 'unsubscribe', severity: null, fineReason: 'suppressed' },
  'spam reporting address': { reason: 'spam_complaint', severity: null, fineReason: 'suppressed' },
  invalid: { reason: 'hard_bounce', severity: 'hard', fineReason: 'syntaxerror' },
};

const SKIPPED_EVENTS = new Set(['account_status_change']);

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function occurredAtOf(value: unknown): number | null {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isFinite(n) || n <= 0) return null;
  const ms = n > MS_TIMESTAMP_THRESHOLD ? Math.trunc(n) : Math.trunc(n * MS_PER_SECOND);
  // Beyond what a Date can hold (and a bigint column on PostgreSQL): an item error, not a
  // batch the database refuses as a whole.
  return Number.isNaN(new Date(ms).getTime()) ? null : ms;
}

/** Stable JSON (sorted keys) so the same event re-delivered hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function categoriesOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((c): c is string => typeof c === 'string' && c !== '');
}

function baseOf(e: Json): { ok: true; base: Base } | { ok: false; error: string } {
  if (typeof e.email !== 'string') return { ok: false, error: 'missing email' };
  const address = normaliseEmail(e.email);
  if (!address.ok) return { ok: false, error: `invalid email: ${address.error}` };
  const occurredAt = occurredAtOf(e.timestamp);
  if (occurredAt === null) return { ok: false, error: 'missing or invalid timestamp' };
  const categories = categoriesOf(e.category);
  const details: Json = {};
  if (categories.length > 0) details.categories = categories;
  for (const [from, to] of [
    ['smtp-id', 'smtpId'],
    ['marketing_campaign_name', 'marketingCampaignName'],
    ['singlesend_name', 'singlesendName'],
  ] as const) {
    const v = str(e[from]);
    if (v !== null) details[to] = v;
  }
  if (e.asm_group_id !== undefined && e.asm_group_id !== null) details.asmGroupId = e.asm_group_id;
  return {
    ok: true,
    base: {
      channel: 'email',
      address: address.address,
      occurredAt,
      // §1.9: `sg_event_id` is unique per event; when it is missing, hash the whole event.
      dedupKey: str(e.sg_event_id) ?? dedupHash('sendgrid', canonical(e)),
      providerMessageId: str(e.sg_message_id),
      campaign: categories[0] ?? str(e.marketing_campaign_name) ?? str(e.singlesend_name),
      details,
    },
  };
}

/**
 * The provider's own verdict, used only where the text says nothing (§1.9, §1.11):
 * `bounce_classification` first (matched on its prefix, the webhook spelling is unverified),
 * then `type` (`bounce` = permanent; `blocked`, `expired` = temporary).
 */
function providerHint(
  type: string | null,
  classification: string | null,
): { severity: Severity | null; senderSide: boolean } {
  const c = (classification ?? '').trim().toLowerCase();
  if (c.startsWith('invalid')) return { severity: 'hard', senderSide: false };
  if (c.startsWith('mailbox')) return { severity: 'soft', senderSide: false };
  if (['technical', 'content', 'reputation', 'frequency'].some((p) => c.startsWith(p)))
    return { severity: 'soft', senderSide: true };
  if (type === 'bounce') return { severity: 'hard', senderSide: false };
  if (type === 'blocked' || type === 'expired') return { severity: 'soft', senderSide: false };
  return { severity: null, senderSide: false };
}

function classifySendgridBounce(
  e: Json,
  enhancedStatus: string | null,
  reasonText: string | null,
): BounceClassification {
  const type = str(e.type);
  const hint = providerHint(type, str(e.bounce_classification));
  const result = classifyBounce({
    enhancedStatus,
    diagnostic: reasonText,
    providerSeverity: hint.severity,
  });
  const textSaidNothing = result.fineReason === 'undefined' || result.fineReason === 'onhold';
  if (textSaidNothing && type === 'expired') return { ...result, fineReason: 'expired' };
  // A sender-side bucket (reputation, content…) is not the recipient's fault: no suppression,
  // unless the text itself proves the address is dead (userunknown and friends).
  if (hint.senderSide && (textSaidNothing || result.suppression !== 'hard_bounce')) {
    return { ...result, severity: 'soft', suppression: null };
  }
  return result;
}

function bounceEvent(e: Json, base: Base): NormalisedEvent {
  const reasonText = str(e.reason);
  const enhancedStatus = enhancedStatusOf(str(e.status), reasonText);
  const c = classifySendgridBounce(e, enhancedStatus, reasonText);
  const details: Json = { ...base.details, bounceType: str(e.type) };
  const classification = str(e.bounce_classification);
  if (classification !== null) details.bounceClassification = classification;
  return makeEvent({
    ...base,
    type: 'bounce',
    reason: c.suppression,
    severity: c.severity,
    fineReason: c.fineReason,
    smtpCode: smtpCodeOf(reasonText),
    enhancedStatus,
    diagnostic: reasonText,
    details,
  });
}

function droppedEvent(e: Json, base: Base): NormalisedEvent {
  const reasonText = str(e.reason);
  const key = (reasonText ?? '').trim().toLowerCase();
  const mapped = Object.hasOwn(DROP_REASONS, key) ? DROP_REASONS[key] : undefined;
  const groupId = e.asm_group_id;
  // A drop for an unsubscribed address of a message sent with an unsubscribe group may be a
  // group unsubscribe: scoping it to the group never over-suppresses (a global unsubscribe
  // arrives as its own `unsubscribe` event).
  const scoped =
    mapped?.reason === 'unsubscribe' &&
    (typeof groupId === 'number' || typeof groupId === 'string');
  return makeEvent({
    ...base,
    type: 'dropped',
    scope: scoped ? String(groupId) : GLOBAL_SCOPE,
    reason: mapped?.reason ?? null,
    severity: mapped?.severity ?? null,
    fineReason: mapped?.fineReason ?? null,
    diagnostic: reasonText,
    enhancedStatus: enhancedStatusOf(str(e.status), null),
  });
}

function groupEvent(
  e: Json,
  base: Base,
  type: Extract<EventType, 'unsubscribe' | 'resubscribe'>,
): SendgridItem {
  const groupId = e.asm_group_id;
  if (typeof groupId !== 'number' && typeof groupId !== 'string')
    return { kind: 'error', error: 'missing asm_group_id' };
  if (String(groupId).trim() === '') return { kind: 'error', error: 'missing asm_group_id' };
  // A resubscribe argues for lifting a suppression, so it carries no suppression reason.
  const reason = type === 'unsubscribe' ? 'unsubscribe' : null;
  return { kind: 'event', event: makeEvent({ ...base, type, reason, scope: String(groupId) }) };
}

function informational(e: Json, base: Base, type: EventType): NormalisedEvent {
  const details: Json = { ...base.details };
  for (const [from, to] of [
    ['response', 'response'],
    ['attempt', 'attempt'],
    ['url', 'url'],
    ['useragent', 'userAgent'],
  ] as const) {
    if (e[from] !== undefined && e[from] !== null) details[to] = e[from];
  }
  const response = str(e.response);
  const isDeferral = type === 'deferred';
  return makeEvent({
    ...base,
    type,
    diagnostic: isDeferral ? response : null,
    smtpCode: isDeferral ? smtpCodeOf(response) : null,
    enhancedStatus: isDeferral ? enhancedStatusOf(null, response) : null,
    details,
  });
}

const asEvent = (event: NormalisedEvent): SendgridItem => ({ kind: 'event', event });

/** One mapper per `event` value of §1.8 (except `account_status_change`, skipped). */
const MAPPERS: ReadonlyMap<string, (e: Json, base: Base) => SendgridItem> = new Map([
  ['processed', (e: Json, base: Base) => asEvent(informational(e, base, 'processed'))],
  ['delivered', (e: Json, base: Base) => asEvent(informational(e, base, 'delivered'))],
  ['deferred', (e: Json, base: Base) => asEvent(informational(e, base, 'deferred'))],
  ['open', (e: Json, base: Base) => asEvent(informational(e, base, 'open'))],
  ['click', (e: Json, base: Base) => asEvent(informational(e, base, 'click'))],
  ['bounce', (e: Json, base: Base) => asEvent(bounceEvent(e, base))],
  ['dropped', (e: Json, base: Base) => asEvent(droppedEvent(e, base))],
  [
    'spamreport',
    (_e: Json, base: Base) =>
      asEvent(makeEvent({ ...base, type: 'complaint', reason: 'spam_complaint' })),
  ],
  [
    'unsubscribe',
    (_e: Json, base: Base) =>
      asEvent(makeEvent({ ...base, type: 'unsubscribe', reason: 'unsubscribe' })),
  ],
  ['group_unsubscribe', (e: Json, base: Base) => groupEvent(e, base, 'unsubscribe')],
  ['group_resubscribe', (e: Json, base: Base) => groupEvent(e, base, 'resubscribe')],
]);

export function mapSendgridEvent(raw: unknown): SendgridItem {
  if (!isObject(raw)) return { kind: 'error', error: 'event is not an object' };
  const name = str(raw.event);
  if (name === null) return { kind: 'error', error: 'missing event' };
  if (SKIPPED_EVENTS.has(name)) return { kind: 'skip', reason: `${name} is not about a recipient` };
  const mapper = MAPPERS.get(name);
  if (!mapper) return { kind: 'skip', reason: `unknown event type ${name}` };
  const base = baseOf(raw);
  return base.ok ? mapper(raw, base.base) : { kind: 'error', error: base.error };
}
