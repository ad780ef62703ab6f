import { jsonTooDeep, MAX_JSON_DEPTH } from '../../core/json-depth.js';
import { normaliseEmail, normalisePhone } from '../../core/address.js';
import { fineReasonOf, type FineReason } from '../../core/classify.js';
import { ParseError } from '../../core/errors.js';
import { makeEvent } from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { enhancedStatusOf, smtpCodeOf, stripDiagnosticType } from '../shared/diagnostic.js';
import { isObject, parseJsonBody, toEpochMs } from '../shared/json-body.js';
import type { AdapterResult, ParseContext, ProviderAdapter, WebhookRequest } from '../types.js';

const TYPES = ['hard', 'soft', 'complaint'] as const;
const MAX_SOURCE_LENGTH = 100;

function field(message: string): ParseError {
  return new ParseError(message);
}

/** `meta` may be a JSON object or a JSON-encoded string of one (listmonk's docs show the latter). */
function parseMeta(meta: unknown): Record<string, unknown> {
  if (meta === undefined || meta === null || meta === '') return {};
  if (isObject(meta)) return meta;
  if (typeof meta === 'string') {
    if (jsonTooDeep(meta)) throw field(`meta: nests deeper than ${MAX_JSON_DEPTH} levels`);
    try {
      const parsed: unknown = JSON.parse(meta);
      if (isObject(parsed)) return parsed;
    } catch {
      // fall through to the error below
    }
  }
  throw field('meta: must be a JSON object or a JSON-encoded string of one');
}

/**
 * The generic bounce API, compatible with listmonk's `POST /webhooks/bounce` (seed 002,
 * providers spec §6): authenticated with an API key at the HTTP edge, so `verify` has nothing
 * left to check. Bouncer keeps no subscriber list: a `subscriber_uuid` is kept with the event,
 * but an `email` or `phone` must say whom to suppress.
 */
export function createGenericAdapter(): ProviderAdapter {
  return {
    name: 'api',
    verify: () => ({ ok: true }),
    parse(req: WebhookRequest, ctx: ParseContext): AdapterResult {
      const body = parseJsonBody(req.rawBody);
      if (!isObject(body)) throw field('body: must be a JSON object');
      const {
        email,
        phone,
        subscriber_uuid: subscriberUuid,
        campaign_uuid: campaignUuid,
        source,
        type,
      } = body;
      if (typeof type !== 'string' || !(TYPES as readonly string[]).includes(type)) {
        throw field(`type: must be one of ${TYPES.join(', ')}`);
      }
      if (typeof source !== 'string' || source.trim() === '') throw field('source: missing');
      if (source.length > MAX_SOURCE_LENGTH)
        throw field(`source: longer than ${MAX_SOURCE_LENGTH} characters`);
      if (
        subscriberUuid !== undefined &&
        (typeof subscriberUuid !== 'string' || !/^[0-9a-f-]{36}$/i.test(subscriberUuid))
      ) {
        throw field('subscriber_uuid: must be a UUID');
      }
      if (campaignUuid !== undefined && campaignUuid !== null && typeof campaignUuid !== 'string')
        throw field('campaign_uuid: must be a string');
      const meta = parseMeta(body.meta);
      let normalised;
      if (email !== undefined && email !== null && email !== '') {
        if (typeof email !== 'string') throw field('email: must be a string');
        normalised = normaliseEmail(email);
        if (!normalised.ok) throw field(`email: ${normalised.error}`);
      } else if (phone !== undefined && phone !== null && phone !== '') {
        if (typeof phone !== 'string') throw field('phone: must be a string');
        normalised = normalisePhone(phone, ctx.defaultPhoneRegion);
        if (!normalised.ok) throw field(`phone: ${normalised.error}`);
      } else {
        throw field(
          subscriberUuid
            ? 'email: required (Bouncer keeps no subscriber list to resolve subscriber_uuid)'
            : 'email: one of email or phone is required',
        );
      }
      const channel = normalised.channel;
      const diagnostic = stripDiagnosticType(
        typeof meta.diagnostic === 'string'
          ? meta.diagnostic
          : typeof meta.reason === 'string'
            ? meta.reason
            : null,
      );
      const enhancedStatus = enhancedStatusOf(
        typeof meta.status === 'string' ? meta.status : null,
        diagnostic,
      );
      const occurredAt = toEpochMs(body.created_at, req.receivedAt);
      // Callers may retry: an Idempotency-Key (or an explicit created_at) makes a retry the same
      // event; without either every request is a distinct event.
      const idempotency = req.headers['idempotency-key'];
      const dedupKey = idempotency
        ? dedupHash('idem', idempotency)
        : dedupHash(
            type,
            channel,
            normalised.address,
            source,
            campaignUuid,
            body.created_at === undefined
              ? `${req.receivedAt}:${dedupHash(req.rawBody.toString('base64'))}`
              : String(body.created_at),
          );
      const complaint = type === 'complaint';
      const sms = channel === 'sms';
      const event = makeEvent({
        type: complaint ? 'complaint' : sms ? 'sms_failure' : 'bounce',
        channel,
        address: normalised.address,
        occurredAt,
        reason: complaint
          ? 'spam_complaint'
          : type === 'hard'
            ? sms
              ? 'invalid_number'
              : 'hard_bounce'
            : sms
              ? 'sms_failure'
              : 'soft_bounce',
        severity: complaint ? null : type === 'hard' ? 'hard' : 'soft',
        fineReason: complaint ? 'feedback' : fineReason(diagnostic, enhancedStatus, type, sms),
        diagnostic,
        enhancedStatus,
        smtpCode: smtpCodeOf(diagnostic),
        campaign: typeof campaignUuid === 'string' ? campaignUuid : null,
        dedupKey,
        details: { source, ...(subscriberUuid ? { subscriberUuid } : {}), meta },
      });
      return { kind: 'events', events: [event], errors: [] };
    },
  };
}

/**
 * The fine reasons are the mail classifier's vocabulary, where `undefined` and `onhold` mean "a
 * text we could not read". With no text at all, or on SMS (mail categories say nothing about a
 * phone), there is nothing to name: null, never the word "undefined".
 */
function fineReason(
  diagnostic: string | null,
  enhancedStatus: string | null,
  type: string,
  sms: boolean,
): FineReason | null {
  const named = fineReasonOf({ diagnostic, enhancedStatus });
  if (named !== null) return named;
  if (sms || (!diagnostic && !enhancedStatus)) return null;
  return type === 'hard' ? 'undefined' : 'onhold';
}
