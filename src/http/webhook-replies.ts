import type { AdapterResult, ReplyPolicyName } from '../providers/types.js';
import type { IngestOutcome } from '../services/ingest/ingest.js';
import { TWIML_CONTENT_TYPE, TWIML_EMPTY_RESPONSE } from '../providers/twilio/twilio.adapter.js';

/** What a webhook request is answered with once it was verified and stored. */
export interface WebhookReply {
  status: number;
  contentType?: string;
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

function exactly200Reply(o: IngestOutcome): WebhookReply {
  const answer = standardReply(o);
  return { ...answer, status: 200 };
}

/** Each provider's expected answer, by the name its endpoint declares. */
export const WEBHOOK_REPLIES: Readonly<
  Record<ReplyPolicyName, (outcome: IngestOutcome) => WebhookReply>
> = {
  standard: standardReply,
  twiml: twimlReply,
  generic: genericReply,
  'drip-signed': dripSignedReply,
  'exactly-200': exactly200Reply,
};
