import { ParseError } from '../../core/errors.js';
import { makeEvent, type NormalisedEvent } from '../../core/events.js';
import { callbackParams } from '../shared/request-params.js';
import {
  buildSmsCodeTable,
  smsActionFor,
  smsKeyword,
  smsNumber,
  smsReason,
  smsSeverity,
  type SmsCodeAction,
  type SmsCodeTable,
  type SyncAdapter,
} from '../shared/sms.js';
import type { AdapterResult, ParseContext, VerifyResult, WebhookRequest } from '../types.js';
import { VONAGE_SMS_ERROR_CODES, VONAGE_SMS_UNKNOWN_ACTION } from './vonage-error-codes.js';
import { verifyVonageSig, type VonageSigMethod } from './vonage-signature.js';

export const VONAGE = 'vonage';

export interface VonageSmsOptions {
  signatureSecrets: readonly string[];
  signatureMethod: VonageSigMethod;
  maxAgeSeconds: number;
  errorCodes?: Readonly<Record<string, SmsCodeAction>>;
}

/** §8.2: `sig` over every other parameter, then `timestamp` (Unix s) within the window. */
function verifySms(req: WebhookRequest, opts: VonageSmsOptions): VerifyResult {
  let params: Record<string, string>;
  try {
    params = callbackParams(req, 'Vonage');
  } catch {
    return { ok: false, reason: 'body is neither a form nor a JSON object' };
  }
  if (!params.sig) return { ok: false, reason: 'missing sig parameter' };
  if (!verifyVonageSig(params, opts.signatureSecrets, opts.signatureMethod))
    return { ok: false, reason: 'sig does not match any configured signature secret' };
  const ts = params.timestamp ?? '';
  if (!/^\d{1,12}$/.test(ts) || Math.abs(req.receivedAt / 1_000 - Number(ts)) > opts.maxAgeSeconds)
    return { ok: false, reason: 'timestamp is missing or outside the allowed window' };
  return { ok: true };
}

/** Message timestamps come as `2020-01-01 12:00:00 +0000`, without zone, or ISO (§8.1). */
export function vonageTime(value: string | undefined, fallback: number): number {
  if (!value) return fallback;
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d(?:\.\d+)?)\s*(Z|[+-]\d\d:?\d\d)?$/.exec(
    value.trim(),
  );
  if (!m) return fallback;
  const zone = m[3] ? (m[3] === 'Z' ? 'Z' : m[3].replace(/^([+-]\d\d)(\d\d)$/, '$1:$2')) : 'Z';
  const t = Date.parse(`${m[1]}T${m[2]}${zone}`);
  return Number.isNaN(t) ? fallback : t;
}

const TRACKED_FAILURES = new Set(['failed', 'rejected', 'expired', 'undelivered', 'unknown']);

function parseReceipt(
  p: Record<string, string>,
  req: WebhookRequest,
  ctx: ParseContext,
  table: SmsCodeTable,
): AdapterResult {
  const status = (p.status ?? '').toLowerCase();
  const messageId = p.messageId ?? '';
  if (status !== 'delivered' && !TRACKED_FAILURES.has(status))
    return {
      kind: 'ignored',
      reason: `delivery receipt status ${status || '(none)'} is not tracked`,
    };
  const errorCode = p['err-code']?.trim() || null;
  const action = status === 'delivered' ? 'none' : smsActionFor(table, errorCode);
  const event = makeEvent({
    type: status === 'delivered' ? 'delivered' : 'sms_failure',
    channel: 'sms',
    address: smsNumber(p.msisdn, 'msisdn', 'Vonage', ctx.defaultPhoneRegion),
    occurredAt: vonageTime(p['message-timestamp'], req.receivedAt),
    // §8.6: no event id; one receipt per message part and status.
    dedupKey: ['dlr', messageId, status, errorCode ?? '', p.scts ?? ''].join('|'),
    reason: smsReason(action),
    severity: smsSeverity(action),
    errorCode,
    providerMessageId: messageId || null,
    details: compact({
      status,
      sender: p.to,
      networkCode: p['network-code'],
      clientRef: p['client-ref'],
      scts: p.scts,
    }),
  });
  return { kind: 'events', events: [event], errors: [] };
}

function parseInbound(
  p: Record<string, string>,
  req: WebhookRequest,
  ctx: ParseContext,
): AdapterResult {
  // A multipart message is long text, never a keyword.
  if (p.concat === 'true')
    return { kind: 'ignored', reason: 'multipart inbound message is not a keyword' };
  const keyword = smsKeyword(p.text);
  if (!keyword)
    return { kind: 'ignored', reason: 'inbound message is not an opt-out or opt-in keyword' };
  const messageId = p.messageId ?? '';
  return {
    kind: 'events',
    events: [keywordEvent(keyword, p.msisdn, p.to, messageId, req, ctx, p['message-timestamp'])],
    errors: [],
  };
}

export function keywordEvent(
  keyword: { type: 'sms_opt_out' | 'sms_opt_in'; keyword: string },
  from: string | undefined,
  to: string | undefined,
  messageId: string,
  req: WebhookRequest,
  ctx: ParseContext,
  at?: string,
): NormalisedEvent {
  if (!messageId) throw new ParseError('Vonage webhook: inbound message without an id');
  return makeEvent({
    type: keyword.type,
    channel: 'sms',
    address: smsNumber(from, 'sender', 'Vonage', ctx.defaultPhoneRegion),
    occurredAt: vonageTime(at, req.receivedAt),
    dedupKey: `inbound|${messageId}`,
    reason: keyword.type === 'sms_opt_out' ? 'sms_opt_out' : null,
    severity: keyword.type === 'sms_opt_out' ? 'hard' : null,
    providerMessageId: messageId,
    // Opt-out Assist records the opt-out per receiving number (§8.5); Bouncer's is global.
    details: compact({ keyword: keyword.keyword, receivingNumber: to }),
  });
}

export function compact(o: Record<string, string | undefined | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v) out[k] = v;
  return out;
}

/** SMS API delivery receipts and inbound messages (§8.1, §8.5): GET query, form or JSON. */
export function createVonageSmsAdapter(opts: VonageSmsOptions): SyncAdapter {
  const table = buildSmsCodeTable(
    VONAGE_SMS_ERROR_CODES,
    VONAGE_SMS_UNKNOWN_ACTION,
    opts.errorCodes,
  );
  return {
    name: VONAGE,
    verify: (req) => verifySms(req, opts),
    parse(req, ctx) {
      if (req.rawBody.length === 0 && !req.url.includes('?'))
        throw new ParseError('Vonage webhook: no parameters');
      const p = callbackParams(req, 'Vonage');
      if (p.status !== undefined && p.messageId !== undefined)
        return parseReceipt(p, req, ctx, table);
      if (p.text !== undefined && p.msisdn !== undefined) return parseInbound(p, req, ctx);
      return { kind: 'ignored', reason: 'neither a delivery receipt nor an inbound message' };
    },
  };
}
