import { createHmac } from 'node:crypto';
import { normaliseEmail } from '../../core/address.js';
import { fineReasonOf } from '../../core/classify.js';
import { ParseError } from '../../core/errors.js';
import { makeEvent, type NormalisedEvent, type Reason, type Severity } from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { enhancedStatusOf, smtpCodeOf } from '../shared/diagnostic.js';
import { isObject, parseJsonBody, toEpochMs } from '../shared/json-body.js';
import { matchesAny, safeEqual } from '../shared/secrets.js';
import type { AdapterResult, ProviderAdapter, VerifyResult, WebhookRequest } from '../types.js';

const SIGNATURE_HEADER = 'x-drip-signature';

/**
 * Seed 000's Drip handler (`POST /webhooks/drip/bounce`): `X-Drip-Signature` is the hex
 * HMAC-SHA256 of the raw body. Real Drip signs nothing (providers spec §4.1); this route serves
 * senders who relay Drip events through their own signing proxy, as seed 000 describes.
 */
export function createDripSignedAdapter(opts: { secrets: readonly string[] }): ProviderAdapter {
  return {
    name: 'drip',
    verify(req: WebhookRequest): VerifyResult {
      if (opts.secrets.length === 0)
        return { ok: false, reason: 'BOUNCER_DRIP_SECRET is not configured' };
      const given = req.headers[SIGNATURE_HEADER]?.trim().toLowerCase();
      if (!given) return { ok: false, reason: 'missing X-Drip-Signature' };
      const expected = opts.secrets.map((s) =>
        createHmac('sha256', s).update(req.rawBody).digest('hex'),
      );
      return matchesAny(given, expected)
        ? { ok: true }
        : { ok: false, reason: 'X-Drip-Signature does not match' };
    },
    parse(req: WebhookRequest): AdapterResult {
      const body = parseJsonBody(req.rawBody);
      if (!isObject(body)) throw new ParseError('body must be a JSON object');
      if (body.event !== 'subscriber.bounced')
        return { kind: 'ignored', reason: 'Not a bounce event' };
      const data = isObject(body.data) ? body.data : {};
      if (typeof data.email !== 'string' || data.email.trim() === '')
        throw new ParseError('data.email: missing');
      const email = normaliseEmail(data.email);
      if (!email.ok) throw new ParseError(`data.email: ${email.error}`);
      const bounceType = typeof data.bounce_type === 'string' ? data.bounce_type.toLowerCase() : '';
      const diagnostic = typeof data.bounce_reason === 'string' ? data.bounce_reason : null;
      // The sender said hard or soft explicitly: that decides the suppression (seed 000's table);
      // the shared classifier only names the fine reason.
      const severity: Severity =
        bounceType === 'hard' ? 'hard' : bounceType === 'soft' ? 'soft' : 'undetermined';
      const reason: Reason = severity === 'hard' ? 'hard_bounce' : 'soft_bounce';
      const occurredAt = toEpochMs(data.occurred_at ?? body.occurred_at, req.receivedAt);
      const event = makeEvent({
        type: 'bounce',
        channel: 'email',
        address: email.address,
        occurredAt,
        reason,
        severity,
        diagnostic,
        smtpCode: smtpCodeOf(diagnostic),
        enhancedStatus: enhancedStatusOf(null, diagnostic),
        fineReason:
          fineReasonOf({ diagnostic, enhancedStatus: enhancedStatusOf(null, diagnostic) }) ??
          // Nothing to name without a text (null, not the classifier's "undefined").
          (severity === 'hard' ? 'userunknown' : null),
        dedupKey: dedupHash(
          'subscriber.bounced',
          email.address,
          bounceType,
          String(data.occurred_at ?? body.occurred_at ?? ''),
          diagnostic,
        ),
        details: { bounceType: bounceType || null },
      });
      return { kind: 'events', events: [event], errors: [] };
    },
  };
}

type DripMapping = Pick<NormalisedEvent, 'type' | 'reason' | 'severity'> & {
  scope?: string;
  fineReason?: string;
};

/** Drip's webhook events and what they mean for suppression (providers spec §4.5). */
function mapDripEvent(event: string, properties: Record<string, unknown>): DripMapping | null {
  switch (event) {
    case 'subscriber.bounced':
      // Drip gives no hard/soft distinction: count it as a soft failure; Drip's own
      // marked_as_undeliverable is the hard signal.
      return { type: 'bounce', reason: 'soft_bounce', severity: 'undetermined' };
    case 'subscriber.marked_as_undeliverable':
      return { type: 'bounce', reason: 'hard_bounce', severity: 'hard', fineReason: 'suppressed' };
    case 'subscriber.complained':
      return {
        type: 'complaint',
        reason: 'spam_complaint',
        severity: null,
        fineReason: 'feedback',
      };
    case 'subscriber.unsubscribed_all':
      return { type: 'unsubscribe', reason: 'unsubscribe', severity: null };
    case 'subscriber.unsubscribed_from_campaign': {
      const campaign = properties.campaign_id ?? properties.campaign_name;
      return {
        type: 'unsubscribe',
        reason: 'unsubscribe',
        severity: null,
        scope: campaign === undefined ? '*' : `drip-campaign:${String(campaign)}`,
      };
    }
    case 'subscriber.marked_as_deliverable':
      return { type: 'reactivated', reason: null, severity: null };
    case 'subscriber.reactivated':
      return { type: 'resubscribe', reason: null, severity: null };
    case 'subscriber.opened_email':
      return { type: 'open', reason: null, severity: null };
    case 'subscriber.clicked_email':
      return { type: 'click', reason: null, severity: null };
    case 'subscriber.received_email':
      return { type: 'processed', reason: null, severity: null };
    default:
      return null;
  }
}

/**
 * Drip's real webhooks (`POST /webhooks/drip/:token`): unsigned, so the unguessable URL token is
 * the credential (compared in constant time). One event per request.
 */
export function createDripAdapter(opts: { urlTokens: readonly string[] }): ProviderAdapter {
  return {
    name: 'drip',
    verify(req: WebhookRequest): VerifyResult {
      if (opts.urlTokens.length === 0)
        return { ok: false, reason: 'BOUNCER_DRIP_URL_TOKEN is not configured' };
      const token = req.params.token;
      let ok = false;
      for (const t of opts.urlTokens) ok = (token !== undefined && safeEqual(token, t)) || ok;
      return ok ? { ok: true } : { ok: false, reason: 'URL token does not match' };
    },
    parse(req: WebhookRequest): AdapterResult {
      const body = parseJsonBody(req.rawBody);
      if (!isObject(body) || typeof body.event !== 'string') throw new ParseError('event: missing');
      const data = isObject(body.data) ? body.data : {};
      const properties = isObject(data.properties) ? data.properties : {};
      const mapping = mapDripEvent(body.event, properties);
      if (!mapping)
        return { kind: 'ignored', reason: `event ${body.event} does not affect suppression` };
      const subscriber = isObject(data.subscriber) ? data.subscriber : {};
      const rawEmail = subscriber.email ?? data.email;
      if (typeof rawEmail !== 'string') throw new ParseError('data.subscriber.email: missing');
      const email = normaliseEmail(rawEmail);
      if (!email.ok) throw new ParseError(`data.subscriber.email: ${email.error}`);
      const deliveryId =
        typeof properties.delivery_id === 'string' || typeof properties.delivery_id === 'number'
          ? String(properties.delivery_id)
          : null;
      const occurred = body.occurred_at ?? data.occurred_at;
      const event = makeEvent({
        type: mapping.type,
        channel: 'email',
        address: email.address,
        scope: mapping.scope ?? '*',
        reason: mapping.reason,
        severity: mapping.severity,
        fineReason: mapping.fineReason ?? (mapping.type === 'bounce' ? 'onhold' : null),
        occurredAt: toEpochMs(occurred, req.receivedAt),
        providerMessageId: deliveryId,
        campaign:
          typeof properties.email_id === 'string' || typeof properties.email_id === 'number'
            ? String(properties.email_id)
            : null,
        // Providers spec §4.5: Drip sends no event id.
        dedupKey: dedupHash(
          body.event,
          String(subscriber.id ?? email.address),
          deliveryId,
          String(occurred ?? ''),
        ),
        details: {
          dripEvent: body.event,
          accountId: data.account_id ?? null,
          subscriberId: subscriber.id ?? null,
          ...(properties.source !== undefined ? { source: properties.source } : {}),
        },
      });
      return { kind: 'events', events: [event], errors: [] };
    },
  };
}
