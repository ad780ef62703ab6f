import { ParseError } from '../../core/errors.js';
import { makeEvent } from '../../core/events.js';
import { isObject, parseJsonBody, toEpochMs } from '../shared/json-body.js';
import {
  buildSmsCodeTable,
  smsActionFor,
  smsKeyword,
  smsNumber,
  smsReason,
  smsSeverity,
  text,
  type SmsCodeAction,
  type SmsCodeTable,
  type SyncAdapter,
} from '../shared/sms.js';
import type { AdapterResult, ParseContext, VerifyResult, WebhookRequest } from '../types.js';
import { compact, keywordEvent, VONAGE } from './vonage.adapter.js';
import {
  VONAGE_MESSAGES_ERROR_CODES,
  VONAGE_MESSAGES_UNKNOWN_ACTION,
} from './vonage-error-codes.js';
import { verifyVonageJwt } from './vonage-signature.js';

export interface VonageMessagesOptions {
  signatureSecrets: readonly string[];
  maxAgeSeconds: number;
  /** `retry`: an unsigned callback gets 503 so Vonage re-sends it signed (§8.4). */
  unsignedReply: 'retry' | 'reject';
  errorCodes?: Readonly<Record<string, SmsCodeAction>>;
}

function verifyMessages(req: WebhookRequest, opts: VonageMessagesOptions): VerifyResult {
  const authorization = req.headers.authorization;
  if (!authorization) {
    return opts.unsignedReply === 'retry'
      ? {
          ok: false,
          reason: 'unsigned Messages API callback: asking for a signed retry',
          retryLater: true,
        }
      : { ok: false, reason: 'missing Authorization header' };
  }
  const check = verifyVonageJwt(
    authorization,
    req.rawBody,
    opts.signatureSecrets,
    req.receivedAt / 1_000,
    opts.maxAgeSeconds,
  );
  return check.ok ? { ok: true } : { ok: false, reason: check.reason };
}

/** v1 sends numbers as strings; the older v0.1 schema as `{ type, number }` objects (§8.3). */
function party(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.number === 'string') return value.number;
  return undefined;
}

/** `error.title` holds the code in v1 (`"1240"`), `error.type` ends in `#1240`, v0.1 has `code`. */
function errorCode(error: unknown): string | null {
  if (!isObject(error)) return null;
  const title = text(error.title);
  if (title && /^\d+$/.test(title)) return title;
  const type = text(error.type);
  const fromType = type ? /#(\d+)$/.exec(type)?.[1] : undefined;
  return fromType ?? text(error.code);
}

function parseStatus(
  body: Record<string, unknown>,
  req: WebhookRequest,
  ctx: ParseContext,
  table: SmsCodeTable,
): AdapterResult {
  const status = (text(body.status) ?? '').toLowerCase();
  const uuid = text(body.message_uuid) ?? '';
  if (!uuid) throw new ParseError('Vonage Messages webhook: missing message_uuid');
  const failed = status === 'rejected' || status === 'undeliverable' || status === 'failed';
  if (status !== 'delivered' && !failed)
    return { kind: 'ignored', reason: `message status ${status || '(none)'} is not tracked` };
  const code = failed ? errorCode(body.error) : null;
  const action = failed ? smsActionFor(table, code) : 'none';
  const error = isObject(body.error) ? body.error : {};
  const timestamp = text(body.timestamp);
  const event = makeEvent({
    type: failed ? 'sms_failure' : 'delivered',
    channel: 'sms',
    address: smsNumber(party(body.to), 'to', 'Vonage', ctx.defaultPhoneRegion),
    occurredAt: toEpochMs(timestamp, req.receivedAt),
    // §8.6: no event id; message_uuid|status|timestamp.
    dedupKey: ['messages', uuid, status, timestamp ?? ''].join('|'),
    reason: smsReason(action),
    severity: smsSeverity(action),
    errorCode: code,
    diagnostic: text(error.detail) ?? text(error.reason),
    providerMessageId: uuid,
    details: compact({ status, sender: party(body.from), clientRef: text(body.client_ref) }),
  });
  return { kind: 'events', events: [event], errors: [] };
}

function parseInbound(
  body: Record<string, unknown>,
  req: WebhookRequest,
  ctx: ParseContext,
): AdapterResult {
  const keyword = smsKeyword(text(body.text));
  if (!keyword)
    return { kind: 'ignored', reason: 'inbound message is not an opt-out or opt-in keyword' };
  const event = keywordEvent(
    keyword,
    party(body.from),
    party(body.to),
    text(body.message_uuid) ?? '',
    req,
    ctx,
  );
  const at = toEpochMs(text(body.timestamp), req.receivedAt);
  return { kind: 'events', events: [{ ...event, occurredAt: at }], errors: [] };
}

/** Messages API status and inbound webhooks (§8.3–§8.5), JWT-signed JSON. */
export function createVonageMessagesAdapter(opts: VonageMessagesOptions): SyncAdapter {
  const table = buildSmsCodeTable(
    VONAGE_MESSAGES_ERROR_CODES,
    VONAGE_MESSAGES_UNKNOWN_ACTION,
    opts.errorCodes,
  );
  return {
    name: VONAGE,
    verify: (req) => verifyMessages(req, opts),
    parse(req, ctx) {
      const body = parseJsonBody(req.rawBody);
      if (!isObject(body)) throw new ParseError('Vonage Messages webhook: expected a JSON object');
      const channel = text(body.channel) ?? (isObject(body.to) ? text(body.to.type) : null);
      // A WhatsApp or RCS outcome says nothing about whether the number takes SMS.
      if (channel !== null && channel !== 'sms')
        return { kind: 'ignored', reason: `message on the ${channel} channel, not SMS` };
      if (body.status !== undefined) return parseStatus(body, req, ctx, table);
      if (body.text !== undefined) return parseInbound(body, req, ctx);
      return { kind: 'ignored', reason: 'neither a status nor an inbound message' };
    },
  };
}
