import { ParseError } from '../../core/errors.js';
import { dedupHash } from '../../core/hash.js';
import { basicCredentials } from '../shared/credentials.js';
import { isObject, parseJsonBody } from '../shared/json-body.js';
import { matchesAny, safeEqual } from '../shared/secrets.js';
import type { AdapterResult, ProviderAdapter, VerifyResult, WebhookRequest } from '../types.js';
import { mapSesRecord } from './ses.events.js';

export interface SesEventBridgeAdapterOptions {
  tokens: readonly string[];
  header: string;
  basic: readonly string[];
}

export interface SesEventBridgeAdapter extends ProviderAdapter {
  verify(req: WebhookRequest): VerifyResult;
}

/**
 * Spec C §7.4: EventBridge signs nothing; an API destination's connection sends a credential:
 * an API-key header of your choosing, Basic, or an OAuth bearer token (not supported here).
 */
function verifyCredential(req: WebhookRequest, opts: SesEventBridgeAdapterOptions): VerifyResult {
  const value = req.headers[opts.header]?.trim();
  const basic = opts.basic.length > 0 ? basicCredentials(req.headers.authorization) : undefined;
  if (!value && basic === undefined)
    return { ok: false, reason: `missing ${opts.header} header and Basic auth` };
  let ok = false;
  if (value) {
    ok = matchesAny(value, opts.tokens) || ok;
    const bearer = /^Bearer[ \t]+(\S+)$/i.exec(value)?.[1];
    if (bearer !== undefined) ok = matchesAny(bearer, opts.tokens) || ok;
  }
  if (basic !== undefined) for (const pair of opts.basic) ok = safeEqual(basic, pair) || ok;
  return ok ? { ok: true } : { ok: false, reason: 'credential does not match any configured one' };
}

function parse(req: WebhookRequest): AdapterResult {
  const body = parseJsonBody(req.rawBody);
  if (!isObject(body)) throw new ParseError('EventBridge event: body is not a JSON object');
  const fallbackAt = (t: unknown): number => {
    const ms = typeof t === 'string' ? Date.parse(t) : NaN;
    return Number.isFinite(ms) ? ms : req.receivedAt;
  };
  if (!Object.hasOwn(body, 'detail')) {
    // An input transformer that forwards only `$.detail`: the SES record itself, with no event
    // id; the bytes name the event.
    if (
      isObject(body.mail) &&
      (typeof body.eventType === 'string' || typeof body.notificationType === 'string')
    )
      return mapSesRecord(
        body,
        { kind: 'eventbridge', id: dedupHash(req.rawBody.toString('utf8')) },
        req.receivedAt,
      );
    throw new ParseError('EventBridge event: no detail');
  }
  const source = typeof body.source === 'string' ? body.source : null;
  if (source !== null && source !== 'aws.ses')
    return {
      kind: 'ignored',
      reason: `EventBridge event from ${source.slice(0, 60)}, not aws.ses`,
    };
  const id = typeof body.id === 'string' && body.id !== '' ? body.id : null;
  if (id === null) throw new ParseError('EventBridge event: missing id');
  // §7.3: the SES record is an object in `detail` (a string only if a transformer made it one).
  let detail: unknown = body.detail;
  if (typeof detail === 'string') {
    try {
      detail = JSON.parse(detail);
    } catch {
      throw new ParseError('EventBridge event: detail is a string that is not JSON');
    }
  }
  return mapSesRecord(detail, { kind: 'eventbridge', id }, fallbackAt(body.time));
}

/** `POST /webhooks/ses/eventbridge`: SES event publishing through an EventBridge API destination. */
export function createSesEventBridgeAdapter(
  opts: SesEventBridgeAdapterOptions,
): SesEventBridgeAdapter {
  return { name: 'ses', verify: (req) => verifyCredential(req, opts), parse };
}
