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
import { SINCH_ERROR_CODES, SINCH_UNKNOWN_ACTION } from './sinch-error-codes.js';
import { verifySinch } from './sinch-signature.js';

export interface SinchAdapterOptions {
  secrets: readonly string[];
  toleranceSeconds: number;
  errorCodes?: Readonly<Record<string, SmsCodeAction>>;
}

type Json = Record<string, unknown>;

const FAILED = new Set(['failed', 'rejected', 'expired', 'deleted', 'unknown']);

interface Report {
  batchId: string;
  recipient: unknown;
  status: string;
  code: string | null;
  at: string | null;
  clientReference: string | null;
}

function reportEvent(
  r: Report,
  ctx: ParseContext,
  table: SmsCodeTable,
  fallbackAt: number,
): NormalisedEvent | null {
  const status = r.status.toLowerCase();
  const failed = FAILED.has(status);
  if (status !== 'delivered' && !failed) return null;
  const action = failed ? smsActionFor(table, r.code) : 'none';
  return makeEvent({
    type: failed ? 'sms_failure' : 'delivered',
    channel: 'sms',
    address: smsNumber(r.recipient, 'recipient', 'Sinch', ctx.defaultPhoneRegion),
    occurredAt: toEpochMs(r.at, fallbackAt),
    // §12.5: no event id; batch_id|recipient|status|code|at.
    dedupKey: ['dr', r.batchId, String(r.recipient), status, r.code ?? '', r.at ?? ''].join('|'),
    reason: smsReason(action),
    severity: smsSeverity(action),
    errorCode: r.code,
    providerMessageId: r.batchId,
    details: {
      status: r.status,
      ...(r.clientReference ? { clientReference: r.clientReference } : {}),
    },
  });
}

function recipientReport(
  body: Json,
  ctx: ParseContext,
  table: SmsCodeTable,
  fallbackAt: number,
): AdapterResult {
  const batchId = text(body.batch_id);
  if (!batchId) throw new ParseError('Sinch webhook: missing batch_id');
  const e = reportEvent(
    {
      batchId,
      recipient: text(body.recipient),
      status: text(body.status) ?? '',
      code: text(body.code),
      at: text(body.operator_status_at) ?? text(body.at),
      clientReference: text(body.client_reference),
    },
    ctx,
    table,
    fallbackAt,
  );
  return e
    ? { kind: 'events', events: [e], errors: [] }
    : {
        kind: 'ignored',
        reason: `delivery status ${text(body.status) ?? '(none)'} is not tracked`,
      };
}

/** A `full` batch report lists recipients per status; a `summary` one only counts (ignored). */
function batchReport(
  body: Json,
  ctx: ParseContext,
  table: SmsCodeTable,
  fallbackAt: number,
): AdapterResult {
  const batchId = text(body.batch_id);
  if (!batchId) throw new ParseError('Sinch webhook: missing batch_id');
  const events: NormalisedEvent[] = [];
  const errors: ItemError[] = [];
  const statuses = Array.isArray(body.statuses) ? body.statuses.filter(isObject) : [];
  let index = 0;
  for (const s of statuses) {
    for (const recipient of Array.isArray(s.recipients) ? s.recipients : []) {
      try {
        const e = reportEvent(
          {
            batchId,
            recipient,
            status: text(s.status) ?? '',
            code: text(s.code),
            at: null,
            clientReference: text(body.client_reference),
          },
          ctx,
          table,
          fallbackAt,
        );
        if (e) events.push(e);
      } catch (err) {
        errors.push({ index, error: (err as Error).message });
      }
      index++;
    }
  }
  if (index === 0)
    return { kind: 'ignored', reason: 'summary delivery report lists no recipients' };
  return { kind: 'events', events, errors };
}

function inbound(body: Json, ctx: ParseContext, fallbackAt: number): AdapterResult {
  const keyword = smsKeyword(text(body.body));
  if (!keyword)
    return { kind: 'ignored', reason: 'inbound message is not an opt-out or opt-in keyword' };
  const id = text(body.id);
  if (!id) throw new ParseError('Sinch webhook: inbound message without id');
  const to = text(body.to);
  const event = makeEvent({
    type: keyword.type,
    channel: 'sms',
    address: smsNumber(text(body.from) ?? '', 'from', 'Sinch', ctx.defaultPhoneRegion),
    occurredAt: toEpochMs(text(body.received_at), fallbackAt),
    dedupKey: `inbound|${id}`,
    reason: keyword.type === 'sms_opt_out' ? 'sms_opt_out' : null,
    severity: keyword.type === 'sms_opt_out' ? 'hard' : null,
    providerMessageId: id,
    details: { keyword: keyword.keyword, ...(to ? { receivingNumber: to } : {}) },
  });
  return { kind: 'events', events: [event], errors: [] };
}

function parse(req: WebhookRequest, ctx: ParseContext, table: SmsCodeTable): AdapterResult {
  const body = parseJsonBody(req.rawBody);
  if (!isObject(body)) throw new ParseError('Sinch webhook: expected a JSON object');
  const type = text(body.type) ?? '(none)';
  switch (type) {
    case 'recipient_delivery_report_sms':
    case 'recipient_delivery_report_mms':
      return recipientReport(body, ctx, table, req.receivedAt);
    case 'delivery_report_sms':
    case 'delivery_report_mms':
      return batchReport(body, ctx, table, req.receivedAt);
    case 'mo_text':
      return inbound(body, ctx, req.receivedAt);
    default:
      return { kind: 'ignored', reason: `callback type ${type} is not tracked` };
  }
}

/** SMS REST API callbacks (spec C §12). */
export function createSinchAdapter(opts: SinchAdapterOptions): SyncAdapter {
  const table = buildSmsCodeTable(SINCH_ERROR_CODES, SINCH_UNKNOWN_ACTION, opts.errorCodes);
  return {
    name: 'sinch',
    verify: (req) =>
      verifySinch(
        req.rawBody,
        req.headers,
        opts.secrets,
        req.receivedAt / 1_000,
        opts.toleranceSeconds,
      ),
    parse: (req, ctx) => parse(req, ctx, table),
  };
}
