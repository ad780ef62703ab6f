import { normaliseEmail, simpleEmail } from '../../core/address.js';
import { GLOBAL_SCOPE, makeEvent, type NormalisedEvent } from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { enhancedStatusOf, smtpCodeOf, stripDiagnosticType } from '../shared/diagnostic.js';
import { isObject, toEpochMs } from '../shared/json-body.js';
import { classifySesBounce } from '../ses/ses.events.js';
import type { ItemError } from '../types.js';

/** Resend's event envelope `{type, created_at, data}` (spec §4.4) → events, one per recipient. */
export type StandardParsed =
  | { kind: 'events'; events: NormalisedEvent[]; errors: ItemError[] }
  | { kind: 'skip'; reason: string };

type Json = Record<string, unknown>;
type Fields = Omit<
  Parameters<typeof makeEvent>[0],
  'channel' | 'address' | 'occurredAt' | 'dedupKey'
>;
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** `a@b`, `Name <a@b>`: the address, or null. */
function addressOf(raw: unknown): string | null {
  const s = str(raw);
  if (s === null) return null;
  const inner = /<([^<>]+)>\s*$/.exec(s)?.[1] ?? s;
  return simpleEmail(inner.trim()) ?? inner.trim();
}

/** One event per recipient, keyed on the message id (`webhook-id`, stable across retries). */
export function perRecipient(
  recipients: unknown[],
  ctx: { messageId: string; occurredAt: number; type: string },
  fields: Fields,
): StandardParsed {
  const events: NormalisedEvent[] = [];
  const errors: ItemError[] = [];
  recipients.forEach((raw, index) => {
    const a = addressOf(raw);
    const n = a === null ? null : normaliseEmail(a);
    if (n === null || !n.ok) {
      errors.push({ index, error: `invalid recipient${n && !n.ok ? `: ${n.error}` : ''}` });
      return;
    }
    events.push(
      makeEvent({
        channel: 'email',
        address: n.address,
        occurredAt: ctx.occurredAt,
        dedupKey: dedupHash('standard-webhooks', ctx.messageId, ctx.type, n.address),
        ...fields,
      }),
    );
  });
  if (events.length === 0 && errors.length === 0)
    return { kind: 'skip', reason: `${ctx.type} names no recipient` };
  return { kind: 'events', events, errors };
}

/**
 * Older Resend bounces carry only `bounce.message` (django-anymail's captures): Resend's fixed
 * sentences name the SES type they stand for.
 */
const BOUNCE_SENTENCES: ReadonlyArray<[RegExp, string, string]> = [
  [/account-level suppression list/i, 'Permanent', 'OnAccountSuppressionList'],
  [/suppressed sending|on the suppression list/i, 'Permanent', 'Suppressed'],
  [/hard bounce message/i, 'Permanent', 'General'],
  [/inbox was full/i, 'Transient', 'MailboxFull'],
  [/too large/i, 'Transient', 'MessageTooLarge'],
  [/general bounce message/i, 'Transient', 'General'],
];

function bounceKind(bounce: Json): { type: string | null; subType: string | null } {
  const type = str(bounce.type);
  if (type !== null) return { type, subType: str(bounce.subType) };
  const message = str(bounce.message) ?? '';
  const known = BOUNCE_SENTENCES.find(([re]) => re.test(message));
  return known
    ? { type: known[1], subType: known[2] }
    : { type: null, subType: str(bounce.subType) };
}

function bounceFields(data: Json): Fields {
  const bounce = isObject(data.bounce) ? data.bounce : {};
  const { type, subType } = bounceKind(bounce);
  const codes = Array.isArray(bounce.diagnosticCode)
    ? bounce.diagnosticCode
    : [bounce.diagnosticCode];
  const diagnostic =
    stripDiagnosticType(codes.map(str).find((c) => c !== null) ?? null) ?? str(bounce.message);
  const enhancedStatus = enhancedStatusOf(null, diagnostic);
  // §4.4: Resend's bounce object is SES's (Permanent/Transient/Undetermined + subType).
  const c = classifySesBounce(type, subType, enhancedStatus, diagnostic);
  return {
    type: 'bounce',
    reason: c.suppression,
    severity: c.severity,
    fineReason: c.fineReason,
    smtpCode: smtpCodeOf(diagnostic),
    enhancedStatus,
    diagnostic,
    details: { bounceType: type, bounceSubType: subType },
  };
}

function suppressedFields(data: Json): Fields {
  const s = isObject(data.suppressed) ? data.suppressed : {};
  const kind = (str(s.type) ?? '').toLowerCase();
  return {
    type: 'dropped',
    reason: kind.includes('complaint') ? 'spam_complaint' : 'hard_bounce',
    fineReason: 'suppressed',
    diagnostic: str(s.message),
    details: { suppressedType: str(s.type) },
  };
}

/** The fields of each email event type (§4.4); null: the type is not used. */
function emailFields(type: string, data: Json): Fields | null {
  switch (type) {
    case 'email.sent':
      return { type: 'processed' };
    case 'email.delivered':
      return { type: 'delivered' };
    case 'email.delivery_delayed':
      return { type: 'deferred', severity: 'soft' };
    case 'email.bounced':
      return bounceFields(data);
    case 'email.complained':
      return { type: 'complaint', reason: 'spam_complaint', fineReason: 'feedback' };
    case 'email.suppressed':
      return suppressedFields(data);
    case 'email.failed':
      // A send error (invalid sender, quota…): the sender's problem, recorded only.
      return {
        type: 'dropped',
        diagnostic: isObject(data.failed) ? str(data.failed.reason) : null,
      };
    case 'email.opened':
      return { type: 'open' };
    case 'email.clicked': {
      const click = isObject(data.click) ? data.click : {};
      return { type: 'click', details: { url: str(click.link) } };
    }
    default:
      return null;
  }
}

function contactFields(type: string, data: Json): Fields | null {
  if ((type === 'contact.updated' || type === 'contact.created') && data.unsubscribed === true) {
    const audience = str(data.audience_id);
    return {
      type: 'unsubscribe',
      reason: 'unsubscribe',
      scope: audience === null ? GLOBAL_SCOPE : `resend-audience:${audience}`,
    };
  }
  if (type === 'suppression.added') {
    const origin = str(data.origin);
    if (origin === 'complaint')
      return { type: 'complaint', reason: 'spam_complaint', fineReason: 'suppressed' };
    if (origin === 'bounce')
      return { type: 'bounce', reason: 'hard_bounce', severity: 'hard', fineReason: 'suppressed' };
    return { type: 'dropped', reason: 'manual', fineReason: 'suppressed' };
  }
  if (type === 'suppression.removed') return { type: 'reactivated' };
  return null;
}

function tagsOf(data: Json): Json | null {
  if (isObject(data.tags)) return data.tags;
  if (!Array.isArray(data.tags)) return null;
  const out: Json = {};
  for (const t of data.tags) if (isObject(t) && typeof t.name === 'string') out[t.name] = t.value;
  return out;
}

export function mapResendEvent(
  body: unknown,
  messageId: string,
  receivedAt: number,
): StandardParsed {
  if (!isObject(body)) return { kind: 'skip', reason: 'body is not a JSON object' };
  const type = str(body.type);
  if (type === null) return { kind: 'skip', reason: 'no event type' };
  const data = isObject(body.data) ? body.data : {};
  const fields = type.startsWith('email.') ? emailFields(type, data) : contactFields(type, data);
  if (fields === null) return { kind: 'skip', reason: `unused Resend event type ${type}` };
  const tags = tagsOf(data);
  const details: Json = { eventType: type, ...(fields.details ?? {}) };
  if (tags !== null) details.tags = tags;
  const recipients = type.startsWith('email.')
    ? Array.isArray(data.to)
      ? data.to
      : [data.to]
    : [data.email];
  return perRecipient(
    recipients,
    { messageId, type, occurredAt: toEpochMs(body.created_at ?? data.created_at, receivedAt) },
    {
      ...fields,
      providerMessageId: str(data.email_id),
      campaign: str(data.broadcast_id),
      details,
    },
  );
}
