import type { Config } from '../../config.js';
import type { AdapterResult, ProviderAdapter } from '../../providers/types.js';
import { createDripAdapter, createDripSignedAdapter } from '../../providers/drip/drip.adapter.js';
import { createGenericAdapter } from '../../providers/generic/generic.adapter.js';
import { createBounceMailAdapter } from '../../providers/bounce-mail/bounce-mail.adapter.js';
import { createSendgridAdapter } from '../../providers/sendgrid/sendgrid.adapter.js';
import { createSesAdapter } from '../../providers/ses/ses.adapter.js';
import type { SnsCertificateSource } from '../../providers/ses/sns-signature.js';
import {
  createTwilioInboundAdapter,
  createTwilioStatusAdapter,
  TWIML_CONTENT_TYPE,
  TWIML_EMPTY_RESPONSE,
} from '../../providers/twilio/twilio.adapter.js';
import { createInboxroadAdapter } from '../../providers/inboxroad/inboxroad.adapter.js';

export interface EndpointReply {
  status: number;
  contentType?: string;
  body: unknown;
}

/** What happened to one webhook request once it was verified and stored. */
export type IngestOutcome =
  | { kind: 'stored'; deliveryId: string; result: AdapterResult }
  | { kind: 'unparseable'; deliveryId: string; error: string };

/**
 * One webhook URL: which adapter verifies and parses it, how it authenticates, its body limit
 * and how it answers. The worker finds the adapter again by `id`, stored with each delivery.
 */
export interface WebhookEndpoint {
  id: string;
  path: string;
  adapter: ProviderAdapter;
  /** `adapter`: the adapter's verify; `api-key`: a write-scoped API key at the HTTP edge. */
  auth: 'adapter' | 'api-key';
  bodyLimitBytes: number;
  reply(outcome: IngestOutcome): EndpointReply;
  /** The successful statuses `reply` answers with, for the OpenAPI document; default standard. */
  replyStatuses?: Readonly<Record<number, string>>;
}

/** What `standardReply` answers. */
export const STANDARD_REPLY_STATUSES: Readonly<Record<number, string>> = {
  200: 'Verified and stored (`accepted`, with the event count) or ignored (`ignored`, with why)',
  202: 'Verified but unparseable: stored as a dead delivery (replayable), so the provider stops retrying',
};

const TWIML_REPLY_STATUSES: Readonly<Record<number, string>> = {
  200: 'Verified and stored: an empty TwiML document (no auto-reply)',
  202: STANDARD_REPLY_STATUSES[202]!,
};

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

/** The default answer: 200 with what was accepted, 200 for ignored, 202-style body. */
export function standardReply(outcome: IngestOutcome): EndpointReply {
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

function parseErrorReply(outcome: Extract<IngestOutcome, { kind: 'unparseable' }>): EndpointReply {
  return {
    status: 400,
    body: {
      error: { code: 'BOUNCER_ERR_VALIDATION', message: outcome.error },
      delivery_id: outcome.deliveryId,
    },
  };
}

/**
 * A provider without its settings keeps its route, refusing every request with the uniform 401
 * (and the reason in the log), so a half-configured integration is loud rather than silent.
 */
function notConfigured(name: string, setting: string): ProviderAdapter {
  return {
    name,
    verify: () => ({ ok: false, reason: `${setting} is not configured` }),
    parse: () => ({ kind: 'ignored', reason: 'not configured' }),
  };
}

function twimlReply(outcome: IngestOutcome): EndpointReply {
  // Twilio only needs a 2xx; an empty TwiML document also stops an inbound auto-reply.
  return outcome.kind === 'unparseable'
    ? standardReply(outcome)
    : { status: 200, contentType: TWIML_CONTENT_TYPE, body: TWIML_EMPTY_RESPONSE };
}

export interface EndpointDeps {
  /** Where SNS signing certificates come from (fetched and cached, or fixed files). */
  snsCertificates: SnsCertificateSource;
}

function providerEndpoints(config: Readonly<Config>, deps: EndpointDeps): WebhookEndpoint[] {
  const single = config.http.bodyLimitSingleBytes;
  const batch = config.http.bodyLimitBatchBytes;
  const twilioOpts = {
    authTokens: config.twilio.authTokens,
    publicUrl: config.http.publicUrl ?? '',
    errorCodes: config.twilio.errorCodes,
  };
  const twilioOn = config.twilio.authTokens.length > 0;
  const inboxroad =
    config.inboxroad.urlTokens.length > 0
      ? createInboxroadAdapter({ urlTokens: config.inboxroad.urlTokens })
      : notConfigured('inboxroad', 'BOUNCER_INBOXROAD_URL_TOKEN');
  return [
    {
      id: 'sendgrid',
      path: '/webhooks/sendgrid',
      adapter:
        config.sendgrid.publicKeys.length > 0
          ? createSendgridAdapter({
              publicKeys: config.sendgrid.publicKeys,
              maxTimestampAgeSeconds: config.sendgrid.maxAgeSeconds,
            })
          : notConfigured('sendgrid', 'BOUNCER_SENDGRID_PUBLIC_KEY'),
      auth: 'adapter',
      bodyLimitBytes: batch,
      reply: standardReply,
    },
    {
      id: 'ses',
      path: '/webhooks/ses',
      adapter:
        config.ses.topicArns.length > 0
          ? createSesAdapter({
              topicArns: config.ses.topicArns,
              certificates: deps.snsCertificates,
            })
          : notConfigured('ses', 'BOUNCER_SES_TOPIC_ARNS'),
      auth: 'adapter',
      bodyLimitBytes: batch,
      reply: standardReply,
    },
    {
      id: 'twilio-status',
      path: '/webhooks/twilio/status',
      adapter: twilioOn
        ? createTwilioStatusAdapter(twilioOpts)
        : notConfigured('twilio', 'BOUNCER_TWILIO_AUTH_TOKEN'),
      auth: 'adapter',
      bodyLimitBytes: single,
      reply: twimlReply,
      replyStatuses: TWIML_REPLY_STATUSES,
    },
    {
      id: 'twilio-inbound',
      path: '/webhooks/twilio/inbound',
      adapter: twilioOn
        ? createTwilioInboundAdapter(twilioOpts)
        : notConfigured('twilio', 'BOUNCER_TWILIO_AUTH_TOKEN'),
      auth: 'adapter',
      bodyLimitBytes: single,
      reply: twimlReply,
      replyStatuses: TWIML_REPLY_STATUSES,
    },
    // Inboxroad may post an array of records: the batch limit applies.
    {
      id: 'inboxroad',
      path: '/webhooks/inboxroad/:token',
      adapter: inboxroad,
      auth: 'adapter',
      bodyLimitBytes: batch,
      reply: standardReply,
    },
    {
      id: 'inboxroad-basic',
      path: '/webhooks/inboxroad',
      adapter: inboxroad,
      auth: 'adapter',
      bodyLimitBytes: batch,
      reply: standardReply,
    },
  ];
}

export function buildEndpoints(
  config: Readonly<Config>,
  deps: EndpointDeps,
  extra: readonly WebhookEndpoint[] = [],
): WebhookEndpoint[] {
  const single = config.http.bodyLimitSingleBytes;
  const endpoints: WebhookEndpoint[] = [
    {
      id: 'generic',
      path: '/webhooks/bounce',
      adapter: createGenericAdapter(),
      auth: 'api-key',
      bodyLimitBytes: single,
      replyStatuses: {
        202: 'Stored: `accepted`, with the event it carries',
        400: 'Unusable body: the message says why; stored as a dead delivery',
      },
      reply: (o) => {
        if (o.kind === 'unparseable') return parseErrorReply(o);
        return {
          status: 202,
          body: {
            status: 'accepted',
            delivery_id: o.deliveryId,
            event: eventSummary(o.result)[0] ?? null,
          },
        };
      },
    },
    {
      id: 'drip-signed',
      path: '/webhooks/drip/bounce',
      adapter: createDripSignedAdapter({ secrets: config.drip.secrets }),
      auth: 'adapter',
      bodyLimitBytes: single,
      replyStatuses: {
        200: 'Verified, but not a bounce event: `ignored`, with why',
        201: 'Verified and stored: `success`, with the address and reason (seed 000)',
        400: 'Unusable body: the message says why; stored as a dead delivery',
      },
      reply: (o) => {
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
          body: {
            status: 'success',
            delivery_id: o.deliveryId,
            email: e?.address,
            reason: e?.reason,
          },
        };
      },
    },
    {
      id: 'drip',
      path: '/webhooks/drip/:token',
      adapter: createDripAdapter({ urlTokens: config.drip.urlTokens }),
      auth: 'adapter',
      bodyLimitBytes: single,
      reply: standardReply,
    },
    {
      // One raw RFC 5322 message per request, any content type (message/rfc822 is usual).
      id: 'bounce-mail',
      path: '/webhooks/bounce-mail',
      adapter: createBounceMailAdapter({ verp: config.bounceMail.verp }),
      auth: 'api-key',
      bodyLimitBytes: config.bounceMail.bodyLimitBytes,
      reply: standardReply,
    },
    ...providerEndpoints(config, deps),
    ...extra,
  ];
  return endpoints;
}
