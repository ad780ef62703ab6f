import { ParseError } from '../../core/errors.js';
import { makeEvent, type NormalisedEvent } from '../../core/events.js';
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
import type { AdapterResult, ItemError, ParseContext, WebhookRequest } from '../types.js';
import {
  TELNYX_ERROR_CODES,
  TELNYX_STOP_CODE,
  TELNYX_UNKNOWN_ACTION,
} from './telnyx-error-codes.js';
import { telnyxPublicKey, verifyTelnyx } from './telnyx-signature.js';

const TELNYX = 'telnyx';

export interface TelnyxAdapterOptions {
  publicKeys: readonly string[];
  toleranceSeconds: number;
  errorCodes?: Readonly<Record<string, SmsCodeAction>>;
}

type Json = Record<string, unknown>;

const FAILED = new Set(['delivery_failed', 'sending_failed']);

/** The first error's code and action; 40300 is an opt-out only when the text says STOP (§10.4). */
function failureOf(
  payload: Json,
  table: SmsCodeTable,
): { code: string | null; action: SmsCodeAction; title: string | null } {
  const first = Array.isArray(payload.errors) ? payload.errors.find(isObject) : undefined;
  const code = first ? text(first.code) : null;
  const title = first
    ? [text(first.title), text(first.detail)].filter(Boolean).join(': ') || null
    : null;
  let action = smsActionFor(table, code);
  if (code === TELNYX_STOP_CODE && action === 'sms_opt_out' && !/\bstop\b/i.test(title ?? ''))
    action = 'none';
  return { code, action, title };
}

function recipientEvents(
  data: Json,
  payload: Json,
  ctx: ParseContext,
  table: SmsCodeTable,
  fallbackAt: number,
): AdapterResult {
  const id = text(data.id);
  if (!id) throw new ParseError('Telnyx webhook: missing data.id');
  const to = Array.isArray(payload.to) ? payload.to : [];
  const failure = failureOf(payload, table);
  const occurredAt = toEpochMs(text(payload.completed_at) ?? text(data.occurred_at), fallbackAt);
  const events: NormalisedEvent[] = [];
  const errors: ItemError[] = [];
  to.forEach((r, index) => {
    if (!isObject(r)) return void errors.push({ index, error: 'recipient is not an object' });
    const status = (text(r.status) ?? '').toLowerCase();
    const failed = FAILED.has(status);
    // delivery_unconfirmed and in-flight statuses decide nothing.
    if (status !== 'delivered' && !failed) return;
    const action = failed ? failure.action : 'none';
    try {
      const address = smsNumber(
        text(r.phone_number) ?? '',
        'to.phone_number',
        'Telnyx',
        ctx.defaultPhoneRegion,
      );
      events.push(
        makeEvent({
          type: failed ? 'sms_failure' : 'delivered',
          channel: 'sms',
          address,
          occurredAt,
          // §10.7: data.id is the event id; one event per recipient of it.
          dedupKey: `${id}|${address}`,
          reason: smsReason(action),
          severity: smsSeverity(action),
          errorCode: failed ? failure.code : null,
          diagnostic: failed ? failure.title : null,
          providerMessageId: text(payload.id),
          details: {
            status,
            ...(text(payload.messaging_profile_id)
              ? { messagingProfileId: text(payload.messaging_profile_id) }
              : {}),
          },
        }),
      );
    } catch (err) {
      errors.push({ index, error: (err as Error).message });
    }
  });
  return { kind: 'events', events, errors };
}

function inboundEvent(
  data: Json,
  payload: Json,
  ctx: ParseContext,
  fallbackAt: number,
): AdapterResult {
  const keyword = smsKeyword(text(payload.text));
  if (!keyword)
    return { kind: 'ignored', reason: 'inbound message is not an opt-out or opt-in keyword' };
  const from = isObject(payload.from) ? text(payload.from.phone_number) : null;
  const to =
    Array.isArray(payload.to) && isObject(payload.to[0]) ? text(payload.to[0].phone_number) : null;
  const id = text(data.id);
  if (!id) throw new ParseError('Telnyx webhook: missing data.id');
  const event = makeEvent({
    type: keyword.type,
    channel: 'sms',
    address: smsNumber(from ?? '', 'from.phone_number', 'Telnyx', ctx.defaultPhoneRegion),
    occurredAt: toEpochMs(text(data.occurred_at), fallbackAt),
    dedupKey: id,
    reason: keyword.type === 'sms_opt_out' ? 'sms_opt_out' : null,
    severity: keyword.type === 'sms_opt_out' ? 'hard' : null,
    providerMessageId: text(payload.id),
    // §10.5: Telnyx's own block rule is per messaging profile.
    details: { keyword: keyword.keyword, ...(to ? { receivingNumber: to } : {}) },
  });
  return { kind: 'events', events: [event], errors: [] };
}

function parse(req: WebhookRequest, ctx: ParseContext, table: SmsCodeTable): AdapterResult {
  const body = parseJsonBody(req.rawBody);
  const data = isObject(body) && isObject(body.data) ? body.data : null;
  if (!data) throw new ParseError('Telnyx webhook: expected {"data": {...}}');
  const type = text(data.event_type) ?? '(none)';
  const payload = isObject(data.payload) ? data.payload : {};
  const kind = (text(payload.type) ?? 'SMS').toUpperCase();
  if (kind !== 'SMS' && kind !== 'MMS')
    return { kind: 'ignored', reason: `message type ${kind} is not SMS` };
  if (type === 'message.finalized')
    return recipientEvents(data, payload, ctx, table, req.receivedAt);
  if (type === 'message.received') return inboundEvent(data, payload, ctx, req.receivedAt);
  return { kind: 'ignored', reason: `event type ${type} is not tracked` };
}

/** Messaging webhooks (spec C §10): `message.finalized` for outcomes, `message.received` for STOP. */
export function createTelnyxAdapter(opts: TelnyxAdapterOptions): SyncAdapter {
  const keys = opts.publicKeys.map(telnyxPublicKey);
  const table = buildSmsCodeTable(TELNYX_ERROR_CODES, TELNYX_UNKNOWN_ACTION, opts.errorCodes);
  return {
    name: TELNYX,
    verify: (req) =>
      verifyTelnyx(req.rawBody, req.headers, keys, req.receivedAt / 1_000, opts.toleranceSeconds),
    parse: (req, ctx) => parse(req, ctx, table),
  };
}
