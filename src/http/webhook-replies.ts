import type { AdapterResult, ReplyPolicyName } from '../providers/types.js';
import type { IngestOutcome } from '../services/ingest/ingest.js';
import { TWIML_CONTENT_TYPE, TWIML_EMPTY_RESPONSE } from '../providers/twilio/twilio.adapter.js';
import type { Config } from '../config.js';
import { donePage, PAGE_HEADERS } from './consent-pages.js';

/** What a reply policy may need besides the outcome. */
export interface ReplyContext {
  brand: Readonly<Config['brand']>;
  /** The request's path, e.g. to link a recipient back to their page. */
  url: string;
}

/** What a webhook request is answered with once it was verified and stored. */
export interface WebhookReply {
  status: number;
  contentType?: string;
  /** Extra response headers (the recipient pages' security headers). */
  headers?: Readonly<Record<string, string>>;
  body: unknown;
}

function eventSummary(result: AdapterResult): unknown[] {
  return result.kind === 'events'
    ? result.events.map((e) => ({
        type: e.type,
        channel: e.channel,
        address: e.address,
        scope: e.scope,
        reason: e.reason,
        severity: e.severity,
        fine_reason: e.fineReason,
        occurred_at: new Date(e.occurredAt).toISOString(),
      }))
    : [];
}

/** The default answer: 200 with what was accepted or why it was ignored. */
export function standardReply(outcome: IngestOutcome): WebhookReply {
  if (outcome.kind === 'unparseable') {
    // Authentic but unusable: stored as a dead delivery (visible, replayable). A 2xx stops the
    // provider retrying the same bytes forever.
    return {
      status: 202,
      body: { status: 'stored_unparseable', delivery_id: outcome.deliveryId, error: outcome.error },
    };
  }
  const r = outcome.result;
  if (r.kind === 'ignored')
    return {
      status: 200,
      body: { status: 'ignored', reason: r.reason, delivery_id: outcome.deliveryId },
    };
  return {
    status: 200,
    body: { status: 'accepted', delivery_id: outcome.deliveryId, events: eventSummary(r).length },
  };
}

/** API callers (generic API, seed 000's Drip route) get a 400 they can act on. */
function parseErrorReply(outcome: Extract<IngestOutcome, { kind: 'unparseable' }>): WebhookReply {
  return {
    status: 400,
    body: {
      error: { code: 'BOUNCER_ERR_VALIDATION', message: outcome.error },
      delivery_id: outcome.deliveryId,
    },
  };
}

function twimlReply(outcome: IngestOutcome): WebhookReply {
  // Twilio only needs a 2xx; an empty TwiML document also stops an inbound auto-reply.
  return outcome.kind === 'unparseable'
    ? standardReply(outcome)
    : { status: 200, contentType: TWIML_CONTENT_TYPE, body: TWIML_EMPTY_RESPONSE };
}

function genericReply(o: IngestOutcome): WebhookReply {
  if (o.kind === 'unparseable') return parseErrorReply(o);
  return {
    status: 202,
    body: {
      status: 'accepted',
      delivery_id: o.deliveryId,
      event: eventSummary(o.result)[0] ?? null,
    },
  };
}

function dripSignedReply(o: IngestOutcome): WebhookReply {
  if (o.kind === 'unparseable') return parseErrorReply(o);
  if (o.result.kind !== 'events')
    return {
      status: 200,
      body: {
        status: 'ignored',
        reason: o.result.kind === 'ignored' ? o.result.reason : 'handshake',
      },
    };
  const e = o.result.events[0];
  // Seed 000's answer shape. The suppression itself is applied by the worker moments later.
  return {
    status: 201,
    body: { status: 'success', delivery_id: o.deliveryId, email: e?.address, reason: e?.reason },
  };
}

/**
 * SparkPost (spec B §5.6) and Mailjet (§7.4) count only a 200 as received: the standard answers,
 * with an authentic but unusable body (stored dead) also answered 200 rather than 202.
 */
function exact200Reply(o: IngestOutcome): WebhookReply {
  return { ...standardReply(o), status: 200 };
}

/**
 * One-click unsubscribes (RFC 8058 §3.2): a 200 once stored, whatever the body; a person who
 * pressed the page's button reads a short HTML confirmation with a way back to their page.
 */
function unsubscribeReply(o: IngestOutcome, ctx?: ReplyContext): WebhookReply {
  const changed = o.kind === 'stored' && o.result.kind === 'events';
  const brand = ctx?.brand ?? { name: 'Bouncer', logoUrl: null, color: '#1f6feb' };
  const back = ctx ? ctx.url.split('?')[0]! : null;
  return {
    status: 200,
    headers: PAGE_HEADERS,
    body: donePage(
      brand,
      changed
        ? 'You are unsubscribed.'
        : 'Nothing was changed: the request was not an unsubscribe.',
      back,
    ),
  };
}

/** Each provider's expected answer, by the name its endpoint declares. */
export const WEBHOOK_REPLIES: Readonly<
  Record<ReplyPolicyName, (outcome: IngestOutcome, ctx?: ReplyContext) => WebhookReply>
> = {
  standard: standardReply,
  twiml: twimlReply,
  generic: genericReply,
  'drip-signed': dripSignedReply,
  'exact-200': exact200Reply,
  unsubscribe: unsubscribeReply,
};

/** What each reply policy answers when the request was verified, for the OpenAPI document. */
const STANDARD_STATUSES = {
  200: 'Verified and stored (`accepted`, with the event count) or ignored (`ignored`, with why)',
  202: 'Verified but unparseable: stored as a dead delivery (replayable), so the provider stops retrying',
};
const PARSE_ERROR = 'Unusable body: the message says why; stored as a dead delivery';

export const WEBHOOK_REPLY_STATUSES: Readonly<
  Record<ReplyPolicyName, Readonly<Record<number, string>>>
> = {
  standard: STANDARD_STATUSES,
  twiml: {
    200: 'Verified and stored: an empty TwiML document (no auto-reply)',
    202: STANDARD_STATUSES[202],
  },
  generic: { 202: 'Stored: `accepted`, with the event it carries', 400: PARSE_ERROR },
  'exact-200': {
    200: 'Verified and stored, ignored, or unparseable (then stored as a dead delivery): always 200, as the sender requires',
  },
  'drip-signed': {
    200: 'Verified, but not a bounce event: `ignored`, with why',
    201: 'Verified and stored: `success`, with the address and reason (seed 000)',
    400: PARSE_ERROR,
  },
  unsubscribe: {
    200: 'Token verified and the request stored: an HTML confirmation (RFC 8058 asks only for a 2xx)',
  },
};
