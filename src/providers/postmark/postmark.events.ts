import { normaliseEmail } from '../../core/address.js';
import { classifyBounce } from '../../core/classify.js';
import { GLOBAL_SCOPE, makeEvent, type NormalisedEvent } from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { enhancedStatusOf, smtpCodeOf, stripDiagnosticType } from '../shared/diagnostic.js';
import { isObject, toEpochMs } from '../shared/json-body.js';
import { idText } from '../shared/json-lossless.js';
import { postmarkBounceRule } from './postmark-bounce-types.js';

/** One Postmark webhook record (spec §2.1, §2.4) → events, or a skip naming what it was. */
export type PostmarkResult =
  | { kind: 'events'; events: NormalisedEvent[] }
  | { kind: 'skip'; reason: string }
  | { kind: 'error'; error: string };

type Json = Record<string, unknown>;
type Base = Pick<
  NormalisedEvent,
  'channel' | 'address' | 'occurredAt' | 'dedupKey' | 'providerMessageId' | 'campaign' | 'details'
>;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** Unsubscribes and manual suppressions are per message stream in Postmark (§2.1). */
export function streamScope(record: Json): string {
  const stream = str(record.MessageStream);
  return stream === null ? GLOBAL_SCOPE : `postmark-stream:${stream}`;
}

const TIME_FIELDS = ['BouncedAt', 'ChangedAt', 'DeliveredAt', 'ReceivedAt'] as const;

function baseOf(record: Json, recordType: string, receivedAt: number): Base | string {
  // §2.4: `Email` on Bounce/SpamComplaint, `Recipient` on the others.
  const recipient = str(record.Email) ?? str(record.Recipient);
  if (recipient === null) return 'missing Email/Recipient';
  const address = normaliseEmail(recipient);
  if (!address.ok) return `invalid recipient: ${address.error}`;
  const timeField = TIME_FIELDS.find((f) => str(record[f]) !== null);
  const occurredAt = toEpochMs(timeField ? record[timeField] : undefined, receivedAt);
  const bounceId = idText(record.ID);
  const details: Json = { recordType };
  const stream = str(record.MessageStream);
  if (stream !== null) details.messageStream = stream;
  if (bounceId !== undefined) details.bounceId = bounceId;
  const serverId = idText(record.ServerID);
  if (serverId !== undefined) details.serverId = serverId;
  return {
    channel: 'email',
    address: address.address,
    occurredAt,
    // §10.2: no event id in the body; RecordType + MessageID + bounce ID (exact, §0.6) or the
    // record's time + recipient is stable across Postmark's retries.
    dedupKey: dedupHash(
      'postmark',
      recordType,
      str(record.MessageID),
      bounceId ?? (timeField ? str(record[timeField]) : null),
      address.address,
      str(record.Type),
      typeof record.SuppressSending === 'boolean' ? String(record.SuppressSending) : null,
    ),
    providerMessageId: str(record.MessageID),
    campaign: str(record.Tag),
    details,
  };
}

function bounceEvents(record: Json, base: Base): PostmarkResult {
  const type = str(record.Type);
  const found = postmarkBounceRule(type, record.TypeCode);
  if (found === null)
    return {
      kind: 'skip',
      reason: `unknown Postmark bounce type ${type ?? String(record.TypeCode)}`,
    };
  const { name, rule } = found;
  if (rule.type === 'ignored')
    return { kind: 'skip', reason: `Postmark ${name} is not a delivery failure` };
  const diagnostic = stripDiagnosticType(str(record.Details)) ?? str(record.Description);
  const enhancedStatus = enhancedStatusOf(null, diagnostic);
  const smtpCode = smtpCodeOf(diagnostic);
  const c = rule.classify
    ? classifyBounce({ enhancedStatus, smtpCode, diagnostic, providerSeverity: rule.severity })
    : null;
  let reason = rule.reason ?? (rule.type === 'bounce' && c ? c.suppression : null);
  let severity = rule.severity ?? c?.severity ?? null;
  // §2.3: `Inactive` is Postmark's authoritative flag: it will not send to the address again.
  if (record.Inactive === true && rule.type === 'bounce' && reason !== 'hard_bounce') {
    reason = 'hard_bounce';
    severity = 'hard';
  }
  const details: Json = { ...base.details, bounceType: name, inactive: record.Inactive === true };
  if (typeof record.CanActivate === 'boolean') details.canActivate = record.CanActivate;
  return {
    kind: 'events',
    events: [
      makeEvent({
        ...base,
        type: rule.type,
        scope: rule.type === 'unsubscribe' ? streamScope(record) : GLOBAL_SCOPE,
        reason,
        severity,
        fineReason: rule.fineReason ?? c?.fineReason ?? null,
        smtpCode,
        enhancedStatus,
        diagnostic,
        errorCode: typeof record.TypeCode === 'number' ? String(record.TypeCode) : null,
        details,
      }),
    ],
  };
}

function subscriptionEvents(record: Json, base: Base): PostmarkResult {
  const origin = str(record.Origin);
  const why = str(record.SuppressionReason);
  const details: Json = { ...base.details, origin, suppressionReason: why };
  const scope = streamScope(record);
  if (record.SuppressSending === false) {
    // §2.5: a reactivation; SuppressionReason is null then, so both what Postmark may have
    // suppressed for (bounce/complaint, and an unsubscribe on this stream) are lifted.
    return {
      kind: 'events',
      events: [
        makeEvent({ ...base, type: 'reactivated', details }),
        makeEvent({
          ...base,
          dedupKey: `${base.dedupKey}:resubscribe`,
          type: 'resubscribe',
          scope,
          details,
        }),
      ],
    };
  }
  if (why === 'HardBounce')
    return {
      kind: 'events',
      events: [
        makeEvent({
          ...base,
          type: 'bounce',
          reason: 'hard_bounce',
          severity: 'hard',
          fineReason: 'suppressed',
          details,
        }),
      ],
    };
  if (why === 'SpamComplaint')
    return {
      kind: 'events',
      events: [
        makeEvent({
          ...base,
          type: 'complaint',
          reason: 'spam_complaint',
          fineReason: 'feedback',
          details,
        }),
      ],
    };
  if (why === 'ManualSuppression') {
    // §2.4: a recipient's unsubscribe arrives as ManualSuppression with Origin Recipient; by the
    // customer or an admin it is a manual suppression on that stream.
    const reason = origin === 'Recipient' || origin === null ? 'unsubscribe' : 'manual';
    return {
      kind: 'events',
      events: [makeEvent({ ...base, type: 'unsubscribe', scope, reason, details })],
    };
  }
  return { kind: 'skip', reason: `unknown Postmark SuppressionReason ${why ?? '(none)'}` };
}

function engagement(
  record: Json,
  base: Base,
  type: 'delivered' | 'open' | 'click',
): PostmarkResult {
  const details: Json = { ...base.details };
  const link = str(record.OriginalLink);
  if (link !== null) details.url = link;
  const smtp = str(record.Details);
  if (type === 'delivered' && smtp !== null) details.response = smtp;
  if (typeof record.FirstOpen === 'boolean') details.firstOpen = record.FirstOpen;
  return { kind: 'events', events: [makeEvent({ ...base, type, details })] };
}

const RECORD_TYPES: ReadonlyMap<string, (record: Json, base: Base) => PostmarkResult> = new Map([
  ['Bounce', bounceEvents],
  ['SpamComplaint', bounceEvents],
  ['SubscriptionChange', subscriptionEvents],
  ['Delivery', (r: Json, b: Base) => engagement(r, b, 'delivered')],
  ['Open', (r: Json, b: Base) => engagement(r, b, 'open')],
  ['Click', (r: Json, b: Base) => engagement(r, b, 'click')],
]);

export function mapPostmarkRecord(record: unknown, receivedAt: number): PostmarkResult {
  if (!isObject(record)) return { kind: 'error', error: 'body is not a JSON object' };
  const recordType = str(record.RecordType);
  if (recordType === null)
    return {
      kind: 'skip',
      reason: 'FromFull' in record ? 'a Postmark inbound message, not an event' : 'no RecordType',
    };
  const mapper = RECORD_TYPES.get(recordType);
  if (!mapper) return { kind: 'skip', reason: `unknown Postmark RecordType ${recordType}` };
  const base = baseOf(record, recordType, receivedAt);
  return typeof base === 'string' ? { kind: 'error', error: base } : mapper(record, base);
}
