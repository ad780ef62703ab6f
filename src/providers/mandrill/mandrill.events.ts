import type { BatchItem } from '../types.js';
import { normaliseEmail } from '../../core/address.js';
import { classifyBounce, type FineReason } from '../../core/classify.js';
import { makeEvent, type NormalisedEvent, type Reason } from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { enhancedStatusOf, smtpCodeOf, stripDiagnosticType } from '../shared/diagnostic.js';
import { isObject, toEpochMs } from '../shared/json-body.js';

/** One item of `mandrill_events` (spec §3.3–§3.5) → an event, a skip, or an item error. */
export type MandrillItem = BatchItem;

type Json = Record<string, unknown>;
type Base = Pick<
  NormalisedEvent,
  'channel' | 'address' | 'occurredAt' | 'dedupKey' | 'providerMessageId' | 'campaign' | 'details'
>;
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** `msg.bounce_description`, Mandrill's classifier label (§3.4), where it names a reason. */
const BOUNCE_DESCRIPTIONS: Readonly<Record<string, FineReason>> = {
  bad_mailbox: 'userunknown',
  invalid_domain: 'hostunknown',
  mailbox_full: 'mailboxfull',
  spam_related: 'spamdetected',
  policy_related: 'policyviolation',
  no_mx_record: 'hostunknown',
};

/** Sync (denylist) reasons (§3.4 `reject.reason`) mirrored into the suppression list. */
const SYNC_REASONS: Readonly<
  Record<string, { type: 'bounce' | 'complaint' | 'unsubscribe' | 'dropped'; reason: Reason }>
> = {
  'hard-bounce': { type: 'bounce', reason: 'hard_bounce' },
  spam: { type: 'complaint', reason: 'spam_complaint' },
  unsub: { type: 'unsubscribe', reason: 'unsubscribe' },
  custom: { type: 'dropped', reason: 'manual' },
};

function baseOf(item: Json, receivedAt: number): Base | string {
  const msg = isObject(item.msg) ? item.msg : {};
  const reject = isObject(item.reject) ? item.reject : {};
  const recipient = str(msg.email) ?? str(reject.email);
  if (recipient === null) return 'missing msg.email';
  const address = normaliseEmail(recipient);
  if (!address.ok) return `invalid recipient: ${address.error}`;
  const tags = Array.isArray(msg.tags)
    ? msg.tags.filter((t): t is string => typeof t === 'string')
    : [];
  const details: Json = {};
  if (tags.length > 0) details.tags = tags.slice(0, 20);
  const sub = str(msg.subaccount) ?? str(reject.subaccount);
  if (sub !== null) details.subaccount = sub;
  const name = str(item.event) ?? str(item.type);
  return {
    channel: 'email',
    address: address.address,
    occurredAt: toEpochMs(item.ts, receivedAt),
    // §3.4: `_id` is the message id (a send, its opens and its bounce share it), not an event id.
    dedupKey: dedupHash(
      'mandrill',
      name,
      str(item._id) ?? str(msg._id),
      typeof item.ts === 'number' ? item.ts : str(item.ts),
      str(item.url),
      str(item.ip),
      address.address,
      str(item.action),
      str(reject.reason),
    ),
    providerMessageId: str(item._id) ?? str(msg._id),
    campaign: str(msg.template) ?? tags[0] ?? null,
    details,
  };
}

function bounceEvent(item: Json, base: Base, hard: boolean): NormalisedEvent {
  const msg = isObject(item.msg) ? item.msg : {};
  const diagnostic = stripDiagnosticType(str(msg.diag));
  const enhancedStatus = enhancedStatusOf(null, diagnostic);
  const smtpCode = smtpCodeOf(diagnostic);
  const label = str(msg.bounce_description);
  const known = label !== null ? BOUNCE_DESCRIPTIONS[label] : undefined;
  const c = classifyBounce({
    enhancedStatus,
    smtpCode,
    diagnostic,
    providerSeverity: hard ? 'hard' : 'soft',
    knownReason: known ?? null,
  });
  // Mandrill's own verdict (hard_bounce / soft_bounce) decides; it rejects further mail to the
  // address itself (§3.5), permanently for hard bounces and for a while for soft ones.
  return makeEvent({
    ...base,
    type: 'bounce',
    reason: hard ? 'hard_bounce' : 'soft_bounce',
    severity: hard ? 'hard' : 'soft',
    fineReason: known ?? c.fineReason,
    smtpCode,
    enhancedStatus,
    diagnostic,
    errorCode: typeof msg.bgtools_code === 'number' ? String(msg.bgtools_code) : null,
    details: { ...base.details, bounceDescription: label, state: str(msg.state) },
  });
}

function deferralEvent(item: Json, base: Base): NormalisedEvent {
  const msg = isObject(item.msg) ? item.msg : {};
  const smtp = Array.isArray(msg.smtp_events) ? msg.smtp_events.filter(isObject) : [];
  const diagnostic = str(smtp.at(-1)?.diag) ?? stripDiagnosticType(str(msg.diag));
  return makeEvent({
    ...base,
    type: 'deferred',
    severity: 'soft',
    diagnostic,
    smtpCode: smtpCodeOf(diagnostic),
    enhancedStatus: enhancedStatusOf(null, diagnostic),
  });
}

function syncEvent(item: Json, base: Base): MandrillItem {
  const action = str(item.action);
  const reject = isObject(item.reject) ? item.reject : {};
  const why = str(reject.reason);
  const details = {
    ...base.details,
    syncType: 'blacklist',
    action,
    rejectReason: why,
    detail: str(reject.detail),
  };
  // A removal from Mandrill's denylist lifts what it was mirrored as.
  if (action === 'remove')
    return { kind: 'event', event: makeEvent({ ...base, type: 'reactivated', details }) };
  const mapped = why !== null && Object.hasOwn(SYNC_REASONS, why) ? SYNC_REASONS[why] : undefined;
  // A soft-bounce entry repeats the soft_bounce event already counted (§3.5): not counted twice.
  if (!mapped)
    return {
      kind: 'skip',
      reason: `Mandrill denylist ${action ?? 'change'} for ${why ?? 'an unknown reason'}`,
    };
  return {
    kind: 'event',
    event: makeEvent({
      ...base,
      type: mapped.type,
      reason: mapped.reason,
      fineReason: 'suppressed',
      details,
    }),
  };
}

type Mapper = (item: Json, base: Base) => MandrillItem;
const ev = (event: NormalisedEvent): MandrillItem => ({ kind: 'event', event });
const MAPPERS: ReadonlyMap<string, Mapper> = new Map<string, Mapper>([
  ['send', (_i, b) => ev(makeEvent({ ...b, type: 'processed' }))],
  ['delivered', (_i, b) => ev(makeEvent({ ...b, type: 'delivered' }))],
  ['deferral', (i, b) => ev(deferralEvent(i, b))],
  ['hard_bounce', (i, b) => ev(bounceEvent(i, b, true))],
  ['soft_bounce', (i, b) => ev(bounceEvent(i, b, false))],
  [
    'spam',
    (_i, b) =>
      ev(makeEvent({ ...b, type: 'complaint', reason: 'spam_complaint', fineReason: 'feedback' })),
  ],
  ['unsub', (_i, b) => ev(makeEvent({ ...b, type: 'unsubscribe', reason: 'unsubscribe' }))],
  // Mandrill refused to send (denylist, unsigned domain, policy); the reason is not in the event.
  ['reject', (_i, b) => ev(makeEvent({ ...b, type: 'dropped' }))],
  ['open', (_i, b) => ev(makeEvent({ ...b, type: 'open' }))],
  [
    'click',
    (i, b) => ev(makeEvent({ ...b, type: 'click', details: { ...b.details, url: str(i.url) } })),
  ],
]);

export function mapMandrillEvent(raw: unknown, receivedAt: number): MandrillItem {
  if (!isObject(raw)) return { kind: 'error', error: 'event is not an object' };
  const name = str(raw.event);
  const syncType = str(raw.type);
  if (name === null && syncType === 'whitelist')
    return { kind: 'skip', reason: 'Mandrill allowlist change' };
  if (name === null && syncType !== 'blacklist')
    return { kind: 'skip', reason: `unknown Mandrill item ${syncType ?? '(no event)'}` };
  if (name === 'inbound') return { kind: 'skip', reason: 'Mandrill inbound message, not an event' };
  const mapper = name === null ? syncEvent : MAPPERS.get(name);
  if (!mapper) return { kind: 'skip', reason: `unknown Mandrill event ${name}` };
  const base = baseOf(raw, receivedAt);
  return typeof base === 'string' ? { kind: 'error', error: base } : mapper(raw, base);
}
