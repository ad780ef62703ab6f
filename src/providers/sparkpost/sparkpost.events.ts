import type { BatchItem } from '../types.js';
import { normaliseEmail } from '../../core/address.js';
import {
  GLOBAL_SCOPE,
  makeEvent,
  type EventType,
  type NormalisedEvent,
} from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { canonicalJson } from '../shared/canonical-json.js';
import { enhancedStatusOf, smtpCodeOf } from '../shared/diagnostic.js';
import { isObject, toEpochMs } from '../shared/json-body.js';
import { idText } from '../shared/json-lossless.js';
import type { SparkpostUnsubscribeScope } from './sparkpost.config.js';
import { bounceClassOf, classifySparkpostBounce } from './sparkpost-bounce-classes.js';

/**
 * One element of a SparkPost batch, `{"msys": {"<class>": {...}}}` (spec B §5.1, §5.3) → one
 * normalised event, a skip (pings, inbound relay, types we do not use) or an item error.
 */
export type SparkpostItem = BatchItem;

export interface SparkpostMapContext {
  receivedAt: number;
  unsubscribeScope: SparkpostUnsubscribeScope;
}

type Json = Record<string, unknown>;
type Base = Pick<
  NormalisedEvent,
  'channel' | 'address' | 'occurredAt' | 'dedupKey' | 'providerMessageId' | 'campaign' | 'details'
>;
type Mapper = (e: Json, base: Base, ctx: SparkpostMapContext) => SparkpostItem;

// Inbound relay, A/B test completions and Signals ingest events name no sent message (§5.3).
const SKIPPED_CLASSES = new Set(['relay_event', 'relay_message', 'ab_test_event', 'ingest_event']);

const str = (v: unknown): string | null => idText(v) ?? null;

const DETAIL_FIELDS = [
  ['message_id', 'messageId'],
  ['subaccount_id', 'subaccountId'],
  ['template_id', 'templateId'],
  ['ip_pool', 'ipPool'],
  ['sending_ip', 'sendingIp'],
  ['friendly_from', 'friendlyFrom'],
] as const;

function baseOf(e: Json, eventClass: string, ctx: SparkpostMapContext): Base | string {
  // §0 rule 7: raw_rcpt_to keeps the original case; rcpt_to is the lower-cased copy.
  const raw = str(e.raw_rcpt_to) ?? str(e.rcpt_to);
  if (raw === null) return 'missing rcpt_to';
  const address = normaliseEmail(raw);
  if (!address.ok) return `invalid rcpt_to: ${address.error}`;
  const type = str(e.type);
  const details: Json = { eventType: type, eventClass };
  for (const [from, to] of DETAIL_FIELDS) {
    const v = str(e[from]);
    if (v !== null) details[to] = v;
  }
  if (Array.isArray(e.rcpt_tags) && e.rcpt_tags.length > 0) details.rcptTags = e.rcpt_tags;
  const eventId = idText(e.event_id);
  return {
    channel: 'email',
    address: address.address,
    // §5.4: Unix seconds as a string in webhooks, ISO 8601 from the Events API.
    occurredAt: toEpochMs(e.timestamp, ctx.receivedAt),
    // §10.2: event_id is unique per event (a string: big integer or UUID, never parsed).
    dedupKey: eventId ?? dedupHash('sparkpost', canonicalJson(e)),
    providerMessageId: str(e.transmission_id),
    campaign: str(e.campaign_id),
    details,
  };
}

function smtpOf(e: Json): {
  diagnostic: string | null;
  smtpCode: string | null;
  enhancedStatus: string | null;
} {
  const diagnostic = str(e.raw_reason) ?? str(e.reason);
  return {
    diagnostic,
    smtpCode: str(e.error_code) ?? smtpCodeOf(diagnostic),
    enhancedStatus: enhancedStatusOf(null, diagnostic),
  };
}

function unsubscribeScope(e: Json, ctx: SparkpostMapContext): string {
  if (ctx.unsubscribeScope === 'subaccount') {
    const id = str(e.subaccount_id);
    // Subaccount 0 is the primary account: its unsubscribes are account-wide.
    return id !== null && id !== '0' ? `sparkpost-subaccount:${id}` : GLOBAL_SCOPE;
  }
  if (ctx.unsubscribeScope === 'campaign') {
    const id = str(e.campaign_id);
    return id !== null ? `sparkpost-campaign:${id}` : GLOBAL_SCOPE;
  }
  return GLOBAL_SCOPE;
}

const asEvent = (event: NormalisedEvent): SparkpostItem => ({ kind: 'event', event });

function unsubscribe(e: Json, base: Base, ctx: SparkpostMapContext): SparkpostItem {
  return asEvent(
    makeEvent({
      ...base,
      type: 'unsubscribe',
      reason: 'unsubscribe',
      scope: unsubscribeScope(e, ctx),
    }),
  );
}

/** `bounce` and `out_of_band` (an asynchronous NDR after acceptance, §5.5): by bounce class. */
function bounceLike(e: Json, base: Base, ctx: SparkpostMapContext): SparkpostItem {
  const code = str(e.bounce_class);
  const cls = bounceClassOf(code);
  const smtp = smtpOf(e);
  const details = { ...base.details, bounceClass: code, bounceClassName: cls.name };
  if (cls.verdict === 'subscribe')
    return {
      kind: 'skip',
      reason: 'bounce class 80 (subscribe request) is not a delivery failure',
    };
  // As Postmark's AutoResponder and ChallengeVerification: the mailbox answered by itself.
  if (cls.verdict === 'autoreply')
    return {
      kind: 'skip',
      reason: `bounce class ${code} (${cls.name.toLowerCase()}) is an automatic reply, not a delivery failure`,
    };
  if (cls.verdict === 'unsubscribe') return unsubscribe(e, { ...base, details }, ctx);
  if (cls.verdict === 'admin') {
    const suppressed = /suppress/i.test(smtp.diagnostic ?? '');
    return asEvent(
      makeEvent({
        ...base,
        ...smtp,
        details,
        type: 'dropped',
        fineReason: suppressed ? 'suppressed' : cls.fineReason,
      }),
    );
  }
  const c = classifySparkpostBounce(cls, smtp);
  return asEvent(
    makeEvent({
      ...base,
      ...smtp,
      details,
      type: 'bounce',
      reason: c.reason,
      severity: c.severity,
      fineReason: c.fineReason,
    }),
  );
}

/** `policy_rejection`, `generation_rejection`, `generation_failure`: SparkPost sent nothing. */
function rejected(e: Json, base: Base): SparkpostItem {
  const smtp = smtpOf(e);
  const suppressed = /suppress/i.test(smtp.diagnostic ?? '');
  const type = str(e.type);
  return asEvent(
    makeEvent({
      ...base,
      ...smtp,
      type: 'dropped',
      fineReason: suppressed
        ? 'suppressed'
        : type === 'generation_failure'
          ? null
          : 'policyviolation',
    }),
  );
}

function complaint(e: Json, base: Base): SparkpostItem {
  const fbtype = str(e.fbtype);
  const details = { ...base.details, fbtype, reportBy: str(e.report_by) };
  // An ARF `not-spam` report is the opposite of a complaint (as for SES).
  const reason = fbtype?.toLowerCase() === 'not-spam' ? null : 'spam_complaint';
  return asEvent(
    makeEvent({ ...base, details, type: 'complaint', reason, fineReason: 'feedback' }),
  );
}

function informational(type: EventType): Mapper {
  return (e, base) => {
    const details: Json = { ...base.details };
    const url = str(e.target_link_url);
    if (url !== null) details.url = url;
    const agent = str(e.user_agent);
    if (agent !== null) details.userAgent = agent;
    if (type !== 'deferred') return asEvent(makeEvent({ ...base, details, type }));
    const code = str(e.bounce_class);
    if (code !== null) details.bounceClass = code;
    return asEvent(makeEvent({ ...base, ...smtpOf(e), details, type, severity: 'soft' }));
  };
}

/** One mapper per `type` of §5.3 (sms_status and relay types are skipped as unknown). */
const MAPPERS: ReadonlyMap<string, Mapper> = new Map<string, Mapper>([
  ['injection', informational('processed')],
  ['delivery', informational('delivered')],
  ['delay', informational('deferred')],
  ['bounce', bounceLike],
  ['out_of_band', bounceLike],
  ['spam_complaint', complaint],
  ['policy_rejection', rejected],
  ['generation_rejection', rejected],
  ['generation_failure', rejected],
  ['list_unsubscribe', unsubscribe],
  ['link_unsubscribe', unsubscribe],
  ['open', informational('open')],
  ['initial_open', informational('open')],
  ['amp_open', informational('open')],
  ['amp_initial_open', informational('open')],
  ['click', informational('click')],
  ['amp_click', informational('click')],
]);

export function mapSparkpostItem(raw: unknown, ctx: SparkpostMapContext): SparkpostItem {
  if (!isObject(raw) || !isObject(raw.msys))
    return { kind: 'error', error: 'item has no msys object' };
  const classes = Object.keys(raw.msys);
  // §0 rule 8: `{"msys": {}}` is SparkPost's ping (the validate call sends exactly that).
  if (classes.length === 0) return { kind: 'skip', reason: 'ping' };
  if (classes.length > 1) return { kind: 'error', error: 'item has several event classes' };
  const eventClass = classes[0] ?? '';
  const e = raw.msys[eventClass];
  if (!isObject(e)) return { kind: 'error', error: `${eventClass} is not an object` };
  if (SKIPPED_CLASSES.has(eventClass))
    return { kind: 'skip', reason: `${eventClass} is not about a sent message` };
  const type = str(e.type);
  if (type === null) return { kind: 'error', error: 'missing type' };
  const mapper = MAPPERS.get(type);
  if (!mapper) return { kind: 'skip', reason: `unknown event type ${type.slice(0, 40)}` };
  const base = baseOf(e, eventClass, ctx);
  return typeof base === 'string' ? { kind: 'error', error: base } : mapper(e, base, ctx);
}
