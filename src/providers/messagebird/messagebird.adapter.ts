import { ParseError } from '../../core/errors.js';
import { makeEvent, type NormalisedEvent } from '../../core/events.js';
import { toEpochMs } from '../shared/json-body.js';
import { callbackParams, queryParams } from '../shared/request-params.js';
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
import { MESSAGEBIRD_ERROR_CODES, MESSAGEBIRD_UNKNOWN_ACTION } from './messagebird-error-codes.js';
import { verifyLegacy, verifyMessageBirdJwt } from './messagebird-signature.js';

export const MESSAGEBIRD = 'messagebird';

export interface MessageBirdAdapterOptions {
  signingKeys: readonly string[];
  /** `BOUNCER_PUBLIC_URL`: the JWT's url_hash covers this + the request's path and query. */
  publicUrl: string;
  /** Window for the legacy timestamp (the SDK's 100 s). */
  maxAgeSeconds: number;
  errorCodes?: Readonly<Record<string, SmsCodeAction>>;
}

export function codeTable(overrides?: Readonly<Record<string, SmsCodeAction>>): SmsCodeTable {
  return buildSmsCodeTable(MESSAGEBIRD_ERROR_CODES, MESSAGEBIRD_UNKNOWN_ACTION, overrides);
}

function verify(req: WebhookRequest, opts: MessageBirdAdapterOptions, base: string): VerifyResult {
  const signed = {
    rawBody: req.rawBody,
    headers: req.headers,
    url: base + req.url,
    nowSeconds: req.receivedAt / 1_000,
  };
  // The JWT covers URL and body; the legacy signature only the query and body. Prefer the JWT.
  if (req.headers['messagebird-signature-jwt'])
    return verifyMessageBirdJwt(signed, opts.signingKeys);
  return verifyLegacy(signed, opts.signingKeys, opts.maxAgeSeconds);
}

const FAILED = new Set(['delivery_failed', 'expired']);

function statusReport(
  p: Record<string, string>,
  req: WebhookRequest,
  ctx: ParseContext,
  table: SmsCodeTable,
): AdapterResult {
  const status = (p.status ?? '').toLowerCase();
  const id = p.id ?? '';
  if (!id) throw new ParseError('MessageBird webhook: status report without id');
  if (status !== 'delivered' && !FAILED.has(status))
    return { kind: 'ignored', reason: `message status ${status || '(none)'} is not tracked` };
  const code = p.statusErrorCode?.trim() || null;
  // An expiry is temporary whatever the code says.
  const action =
    status === 'delivered'
      ? 'none'
      : status === 'expired'
        ? 'sms_failure'
        : smsActionFor(table, code);
  const datetime = p.statusDatetime?.split(' ').join('+');
  const event = makeEvent({
    type: status === 'delivered' ? 'delivered' : 'sms_failure',
    channel: 'sms',
    address: smsNumber(p.recipient, 'recipient', 'MessageBird', ctx.defaultPhoneRegion),
    occurredAt: toEpochMs(datetime, req.receivedAt),
    // §11.5: no event id; id|status|statusDatetime.
    dedupKey: ['status', id, status, datetime ?? ''].join('|'),
    reason: smsReason(action),
    severity: smsSeverity(action),
    errorCode: code,
    diagnostic: p.statusReason || null,
    providerMessageId: id,
    details: Object.fromEntries(
      Object.entries({ status, reference: p.reference, mccmnc: p.mccmnc }).filter(([, v]) => v),
    ),
  });
  return { kind: 'events', events: [event], errors: [] };
}

export function inboundKeywordEvent(
  provider: string,
  text: string | undefined,
  from: string | undefined,
  to: string | undefined,
  id: string,
  at: number,
  ctx: ParseContext,
): AdapterResult {
  const keyword = smsKeyword(text);
  if (!keyword)
    return { kind: 'ignored', reason: 'inbound message is not an opt-out or opt-in keyword' };
  if (!id) throw new ParseError(`${provider} webhook: inbound message without an id`);
  const event: NormalisedEvent = makeEvent({
    type: keyword.type,
    channel: 'sms',
    address: smsNumber(from, 'sender', provider, ctx.defaultPhoneRegion),
    occurredAt: at,
    dedupKey: `inbound|${id}`,
    reason: keyword.type === 'sms_opt_out' ? 'sms_opt_out' : null,
    severity: keyword.type === 'sms_opt_out' ? 'hard' : null,
    providerMessageId: id,
    details: { keyword: keyword.keyword, ...(to ? { receivingNumber: to } : {}) },
  });
  return { kind: 'events', events: [event], errors: [] };
}

/** Legacy REST API status reports (GET query) and inbound messages (spec C §11.1, §11.5). */
export function createMessageBirdAdapter(opts: MessageBirdAdapterOptions): SyncAdapter {
  const base = opts.publicUrl.replace(/\/+$/, '');
  const table = codeTable(opts.errorCodes);
  return {
    name: MESSAGEBIRD,
    verify: (req) => verify(req, opts, base),
    parse(req, ctx) {
      if (req.rawBody.length === 0 && [...queryParams(req.url)].length === 0)
        throw new ParseError('MessageBird webhook: no parameters');
      const p = {
        ...Object.fromEntries(queryParams(req.url)),
        ...(req.rawBody.length > 0 ? callbackParams(req, 'MessageBird') : {}),
      };
      if (p.status !== undefined && p.recipient !== undefined)
        return statusReport(p, req, ctx, table);
      if (p.originator !== undefined && (p.body ?? p.message) !== undefined)
        return inboundKeywordEvent(
          'MessageBird',
          p.body ?? p.message,
          p.originator,
          p.recipient,
          p.id ?? '',
          toEpochMs(p.createdDatetime?.split(' ').join('+'), req.receivedAt),
          ctx,
        );
      return { kind: 'ignored', reason: 'neither a status report nor an inbound message' };
    },
  };
}
