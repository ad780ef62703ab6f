import { maskAddress, normalisePhone } from '../../core/address.js';
import { AppError, ParseError } from '../../core/errors.js';
import { makeEvent } from '../../core/events.js';
import type { EventType } from '../../core/events.js';
import {
  actionForCode,
  buildTwilioErrorCodeTable,
  reasonForAction,
  severityForAction,
  type TwilioCodeAction,
} from './twilio-error-codes.js';
import {
  BODY_SHA256_PARAM,
  parseTwilioForm,
  verifyTwilioBodySignature,
  verifyTwilioFormSignature,
} from './twilio-signature.js';
import type {
  AdapterResult,
  ParseContext,
  ProviderAdapter,
  VerifyResult,
  WebhookRequest,
} from '../types.js';

export interface TwilioAdapterOptions {
  /**
   * Accepted Auth Tokens (`BOUNCER_TWILIO_AUTH_TOKEN`, comma-separated). Twilio signs with the
   * account's primary token only; list the old and the new one while promoting a secondary.
   */
  authTokens: readonly string[];
  /**
   * Public base URL Twilio calls (`BOUNCER_PUBLIC_URL`, e.g. `https://hooks.example.com`, maybe
   * with a path prefix or `user:pass@`). The signed URL is this + the request's path and query:
   * behind a proxy the URL Bouncer sees is not the one Twilio signed (spec §2.2).
   */
  publicUrl: string;
  /** Error code → action overrides of the default table (`BOUNCER_TWILIO_ERROR_CODES`). */
  errorCodes?: Partial<Record<string, TwilioCodeAction>>;
}

/** What the inbound route answers: an empty TwiML document, so Twilio sends no reply of its own. */
export const TWIML_EMPTY_RESPONSE = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
export const TWIML_CONTENT_TYPE = 'text/xml';

/** Whole-body keywords Twilio's default opt-out handling acts on (spec §2.9). */
export const OPT_OUT_KEYWORDS: ReadonlySet<string> = new Set([
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPTOUT',
]);
export const OPT_IN_KEYWORDS: ReadonlySet<string> = new Set(['START', 'UNSTOP', 'YES']);

const PROVIDER = 'twilio';

/** Twilio verification is synchronous (HMAC only); the narrower type saves callers an await. */
export interface TwilioAdapter extends ProviderAdapter {
  verify(req: WebhookRequest): VerifyResult;
}

function checkedOptions(opts: TwilioAdapterOptions): { tokens: string[]; baseUrl: string } {
  const tokens = opts.authTokens.map((t) => t.trim()).filter((t) => t !== '');
  if (tokens.length === 0)
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      'BOUNCER_TWILIO_AUTH_TOKEN: at least one Auth Token is required',
    );
  let url: URL;
  try {
    url = new URL(opts.publicUrl);
  } catch (cause) {
    throw new AppError('BOUNCER_ERR_CONFIG', 'BOUNCER_PUBLIC_URL: not an absolute URL', { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new AppError('BOUNCER_ERR_CONFIG', 'BOUNCER_PUBLIC_URL: must be http(s)');
  if (url.search || url.hash)
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      'BOUNCER_PUBLIC_URL: must not contain a query or fragment',
    );
  return { tokens, baseUrl: opts.publicUrl.trim().replace(/\/+$/, '') };
}

/** JSON-body requests carry `bodySHA256` in the query (spec §2.3). `url` is path and query. */
function isJsonVariant(url: string): boolean {
  const query = url.indexOf('?');
  return query !== -1 && new URLSearchParams(url.slice(query + 1)).has(BODY_SHA256_PARAM);
}

function createVerifier(tokens: string[], baseUrl: string): (req: WebhookRequest) => VerifyResult {
  return (req) => {
    const signature = req.headers['x-twilio-signature'];
    if (!signature) return { ok: false, reason: 'missing X-Twilio-Signature header' };
    const url = baseUrl + (req.url.startsWith('/') ? req.url : `/${req.url}`);
    const check = { authTokens: tokens, signature, url };
    const valid = isJsonVariant(req.url)
      ? verifyTwilioBodySignature(check, req.rawBody)
      : verifyTwilioFormSignature(check, parseTwilioForm(req.rawBody.toString('utf8')));
    return valid
      ? { ok: true }
      : { ok: false, reason: 'X-Twilio-Signature does not match any configured Auth Token' };
  };
}

/**
 * The verified form, or why there is nothing to read. JSON-body (`bodySHA256`) requests are
 * verified but not Messaging callbacks: status and inbound webhooks are form-encoded (§2.1).
 */
function readForm(req: WebhookRequest): URLSearchParams | { ignored: string } {
  if (isJsonVariant(req.url)) {
    return { ignored: 'JSON-body (bodySHA256) request: Messaging webhooks are form-encoded' };
  }
  const body = req.rawBody.toString('utf8');
  if (body.trim() === '') throw new ParseError('Twilio webhook: empty body');
  return new URLSearchParams(body);
}

function required(form: URLSearchParams, ...names: string[]): string {
  for (const name of names) {
    const value = form.get(name)?.trim();
    if (value) return value;
  }
  throw new ParseError(`Twilio webhook: missing ${names[0] ?? 'field'}`);
}

/**
 * E.164 address of an SMS party. Other channels (`whatsapp:+…`, `messenger:…`, `rcs:…`) are
 * ignored on purpose: Bouncer's phone suppressions are for SMS, and a WhatsApp block or failure
 * says nothing about whether the number takes SMS.
 */
function smsAddress(
  raw: string,
  field: string,
  ctx: ParseContext,
): { address: string } | { ignored: string } {
  const prefix = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1]?.toLowerCase();
  if (prefix !== undefined && prefix !== 'tel')
    return { ignored: `${field} is on the ${prefix} channel, not SMS` };
  const normalised = normalisePhone(raw, ctx.defaultPhoneRegion);
  if (!normalised.ok)
    throw new ParseError(
      `Twilio webhook: ${field} ${maskAddress(raw)} is not a phone number (${normalised.error})`,
    );
  return { address: normalised.address };
}

function optionalDetails(
  form: URLSearchParams,
  fields: Record<string, string>,
): Record<string, string> {
  const details: Record<string, string> = {};
  for (const [key, param] of Object.entries(fields)) {
    const value = form.get(param);
    if (value) details[key] = value;
  }
  return details;
}

function parseStatus(
  req: WebhookRequest,
  ctx: ParseContext,
  table: ReadonlyMap<string, TwilioCodeAction>,
): AdapterResult {
  const form = readForm(req);
  if ('ignored' in form) return { kind: 'ignored', reason: form.ignored };
  const messageSid = required(form, 'MessageSid', 'SmsSid');
  const status = required(form, 'MessageStatus', 'SmsStatus').toLowerCase();
  // Only terminal outcomes matter for suppression; queued/sent/accepted/… would triple storage
  // per message without changing any decision, and `canceled` is our own doing.
  const type: EventType | null =
    status === 'delivered'
      ? 'delivered'
      : status === 'failed' || status === 'undelivered'
        ? 'sms_failure'
        : null;
  if (type === null) return { kind: 'ignored', reason: `message status ${status} is not tracked` };
  const to = smsAddress(required(form, 'To'), 'To', ctx);
  if ('ignored' in to) return { kind: 'ignored', reason: to.ignored };
  const errorCode = form.get('ErrorCode')?.trim() || null;
  const action = type === 'sms_failure' ? actionForCode(table, errorCode) : 'none';
  const event = makeEvent({
    type,
    channel: 'sms',
    address: to.address,
    // RawDlrDoneDate has no time zone and minute precision (§2.6): kept in details only.
    occurredAt: req.receivedAt,
    dedupKey: [messageSid, status, errorCode].filter((p) => p !== null).join(':'),
    reason: reasonForAction(action),
    severity: severityForAction(action),
    errorCode,
    providerMessageId: messageSid,
    details: {
      status,
      ...optionalDetails(form, {
        accountSid: 'AccountSid',
        messagingServiceSid: 'MessagingServiceSid',
        rawDlrDoneDate: 'RawDlrDoneDate',
      }),
    },
  });
  return { kind: 'events', events: [event], errors: [] };
}

function optInOrOut(
  form: URLSearchParams,
): { type: 'sms_opt_out' | 'sms_opt_in'; keyword: string } | null {
  // With Advanced Opt-Out the service's own keyword lists decide and say so in OptOutType (§2.9).
  const optOutType = form.get('OptOutType')?.trim().toUpperCase();
  if (optOutType === 'STOP') return { type: 'sms_opt_out', keyword: optOutType };
  if (optOutType === 'START') return { type: 'sms_opt_in', keyword: optOutType };
  if (optOutType) return null;
  // Twilio matches the whole body only: "Stop please" is not an opt-out.
  const body = (form.get('Body') ?? '').trim().toUpperCase();
  if (OPT_OUT_KEYWORDS.has(body)) return { type: 'sms_opt_out', keyword: body };
  if (OPT_IN_KEYWORDS.has(body)) return { type: 'sms_opt_in', keyword: body };
  return null;
}

function parseInbound(req: WebhookRequest, ctx: ParseContext): AdapterResult {
  const form = readForm(req);
  if ('ignored' in form) return { kind: 'ignored', reason: form.ignored };
  const messageSid = required(form, 'MessageSid', 'SmsMessageSid', 'SmsSid');
  const decision = optInOrOut(form);
  if (decision === null)
    return { kind: 'ignored', reason: 'inbound message is not an opt-out or opt-in keyword' };
  const from = smsAddress(required(form, 'From'), 'From', ctx);
  if ('ignored' in from) return { kind: 'ignored', reason: from.ignored };
  const event = makeEvent({
    type: decision.type,
    channel: 'sms',
    address: from.address,
    occurredAt: req.receivedAt,
    dedupKey: messageSid,
    reason: decision.type === 'sms_opt_out' ? 'sms_opt_out' : null,
    providerMessageId: messageSid,
    // Twilio's block covers the Messaging Service, or the number replied to without one (§2.9).
    details: {
      keyword: decision.keyword,
      ...optionalDetails(form, {
        optOutType: 'OptOutType',
        accountSid: 'AccountSid',
        messagingServiceSid: 'MessagingServiceSid',
        receivingNumber: 'To',
      }),
    },
  });
  return { kind: 'events', events: [event], errors: [] };
}

/** `POST /webhooks/twilio/status`: Messaging status callbacks (spec §2.7–2.8). */
export function createTwilioStatusAdapter(opts: TwilioAdapterOptions): TwilioAdapter {
  const { tokens, baseUrl } = checkedOptions(opts);
  const table = buildTwilioErrorCodeTable(opts.errorCodes);
  return {
    name: PROVIDER,
    verify: createVerifier(tokens, baseUrl),
    parse: (req, ctx) => parseStatus(req, ctx, table),
  };
}

/** `POST /webhooks/twilio/inbound`: incoming messages, for STOP/START (spec §2.9). */
export function createTwilioInboundAdapter(opts: TwilioAdapterOptions): TwilioAdapter {
  const { tokens, baseUrl } = checkedOptions(opts);
  return { name: PROVIDER, verify: createVerifier(tokens, baseUrl), parse: parseInbound };
}
