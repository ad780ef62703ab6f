import { AppError, ParseError } from '../../core/errors.js';
import { makeEvent } from '../../core/events.js';
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
import { PLIVO_ERROR_CODES, PLIVO_UNKNOWN_ACTION } from './plivo-error-codes.js';
import { paramsOf, verifyPlivo } from './plivo-signature.js';

const PLIVO = 'plivo';

export interface PlivoAdapterOptions {
  /** Auth tokens that may sign (account, sub-accounts, main account; old and new in a rotation). */
  authTokens: readonly string[];
  /** `BOUNCER_PUBLIC_URL`: the signed URL is this + the request's path and query. */
  publicUrl: string;
  /** Accept V2 signatures (URL + nonce only) when no V3 headers are sent. */
  allowV2: boolean;
  errorCodes?: Readonly<Record<string, SmsCodeAction>>;
}

function verify(req: WebhookRequest, opts: PlivoAdapterOptions, base: string): VerifyResult {
  // A GET (and a POST without parameters) signs only the URL's query (§9.2 step 2–3).
  const isGet = req.rawBody.length === 0;
  const verdict = verifyPlivo(
    {
      method: isGet ? 'GET' : 'POST',
      url: base + req.url,
      params: isGet ? {} : paramsOf(new URLSearchParams(req.rawBody.toString('utf8'))),
      headers: req.headers,
      tokens: opts.authTokens,
    },
    opts.allowV2,
  );
  if (verdict === 'v3' || verdict === 'v2') return { ok: true };
  return {
    ok: false,
    reason:
      verdict === 'none'
        ? 'missing X-Plivo-Signature-V3 (or -V2) headers'
        : 'Plivo signature does not match any configured auth token',
  };
}

const FAILURES = new Set(['failed', 'undelivered']);

function parseStatus(
  p: Record<string, string>,
  req: WebhookRequest,
  ctx: ParseContext,
  table: SmsCodeTable,
): AdapterResult {
  const status = (p.Status ?? '').toLowerCase();
  const uuid = p.MessageUUID ?? '';
  if (!uuid) throw new ParseError('Plivo webhook: missing MessageUUID');
  if (status !== 'delivered' && !FAILURES.has(status))
    return { kind: 'ignored', reason: `message status ${status || '(none)'} is not tracked` };
  const errorCode = p.ErrorCode?.trim() || null;
  const action = status === 'delivered' ? 'none' : smsActionFor(table, errorCode);
  const event = makeEvent({
    type: status === 'delivered' ? 'delivered' : 'sms_failure',
    channel: 'sms',
    address: smsNumber(p.To, 'To', 'Plivo', ctx.defaultPhoneRegion),
    occurredAt: req.receivedAt,
    // §9.6: no event id; one callback per status change and part.
    dedupKey: ['status', uuid, status, errorCode ?? '', p.Sequence ?? ''].join('|'),
    reason: smsReason(action),
    severity: smsSeverity(action),
    errorCode,
    providerMessageId: uuid,
    details: Object.fromEntries(
      Object.entries({
        status,
        sender: p.From,
        parentMessageUuid: p.ParentMessageUUID,
        powerpackUuid: p.PowerpackUUID,
      }).filter(([, v]) => v),
    ),
  });
  return { kind: 'events', events: [event], errors: [] };
}

function parseInbound(
  p: Record<string, string>,
  req: WebhookRequest,
  ctx: ParseContext,
): AdapterResult {
  const keyword = smsKeyword(p.Text);
  if (!keyword)
    return { kind: 'ignored', reason: 'inbound message is not an opt-out or opt-in keyword' };
  const uuid = p.MessageUUID ?? '';
  if (!uuid) throw new ParseError('Plivo webhook: inbound message without MessageUUID');
  const event = makeEvent({
    type: keyword.type,
    channel: 'sms',
    address: smsNumber(p.From, 'From', 'Plivo', ctx.defaultPhoneRegion),
    occurredAt: req.receivedAt,
    dedupKey: `inbound|${uuid}`,
    reason: keyword.type === 'sms_opt_out' ? 'sms_opt_out' : null,
    severity: keyword.type === 'sms_opt_out' ? 'hard' : null,
    providerMessageId: uuid,
    details: { keyword: keyword.keyword, ...(p.To ? { receivingNumber: p.To } : {}) },
  });
  return { kind: 'events', events: [event], errors: [] };
}

/** Message status callbacks and inbound messages at one URL (spec C §9.1, §9.5). */
export function createPlivoAdapter(opts: PlivoAdapterOptions): SyncAdapter {
  if (opts.authTokens.length === 0)
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      'BOUNCER_PLIVO_AUTH_TOKEN: at least one auth token is required',
    );
  const base = opts.publicUrl.replace(/\/+$/, '');
  const table = buildSmsCodeTable(PLIVO_ERROR_CODES, PLIVO_UNKNOWN_ACTION, opts.errorCodes);
  return {
    name: PLIVO,
    verify: (req) => verify(req, opts, base),
    parse(req, ctx) {
      if (req.rawBody.length === 0 && [...queryParams(req.url)].length === 0)
        throw new ParseError('Plivo webhook: no parameters');
      const p = callbackParams(req, 'Plivo');
      const type = (p.Type ?? 'sms').toLowerCase();
      if (type !== 'sms' && type !== 'mms')
        return { kind: 'ignored', reason: `message on the ${type} channel, not SMS` };
      if (p.Status !== undefined) return parseStatus(p, req, ctx, table);
      if (p.Text !== undefined) return parseInbound(p, req, ctx);
      return { kind: 'ignored', reason: 'neither a status callback nor an inbound message' };
    },
  };
}
