import { ParseError } from '../../core/errors.js';
import { makeEvent, type NormalisedEvent } from '../../core/events.js';
import { verifySharedSecret, type SharedSecrets } from '../shared/credentials.js';
import { isObject, parseJsonBody, toEpochMs } from '../shared/json-body.js';
import {
  smsKeyword,
  smsNumber,
  smsReason,
  smsSeverity,
  text,
  type SmsCodeAction,
  type SyncAdapter,
} from '../shared/sms.js';
import type { AdapterResult, ItemError, ParseContext } from '../types.js';

export interface InfobipAdapterOptions extends SharedSecrets {
  /** `error.id` → action overrides (`BOUNCER_INFOBIP_ERROR_CODES`), checked before the group rule. */
  errorCodes?: Readonly<Record<string, SmsCodeAction>>;
}

type Json = Record<string, unknown>;

/** Error ids whose meaning the group rule gets wrong or too weakly (spec C §13.3). */
export const INFOBIP_ERROR_CODES: Readonly<Record<string, SmsCodeAction>> = Object.freeze({
  '1': 'invalid_number', // EC_UNKNOWN_SUBSCRIBER (permanent)
  '6': 'sms_failure', // EC_ABSENT_SUBSCRIBER_SM (temporary)
  '27': 'sms_failure', // EC_ABSENT_SUBSCRIBER (temporary)
});

/**
 * §13.4: a permanent handset error means the number is gone; a temporary error, or an expiry,
 * is a transient failure; permanent user or operator errors are about the request (content,
 * sender, account, routing rules) and `permanent` there describes the message, not the number.
 */
export function infobipAction(
  status: Json,
  error: Json,
  table: Readonly<Record<string, SmsCodeAction>>,
): SmsCodeAction {
  const id = text(error.id);
  if (id !== null && id !== '0' && table[id] !== undefined) return table[id];
  if (text(status.groupName) === 'EXPIRED') return 'sms_failure';
  const group = text(error.groupId);
  if (group === '0' || group === null)
    return text(status.groupName) === 'REJECTED' ? 'none' : 'sms_failure';
  if (error.permanent !== true) return 'sms_failure';
  return group === '1' ? 'invalid_number' : 'none';
}

function report(
  r: Json,
  ctx: ParseContext,
  table: Readonly<Record<string, SmsCodeAction>>,
  fallbackAt: number,
): NormalisedEvent | null {
  const status = isObject(r.status) ? r.status : {};
  const error = isObject(r.error) ? r.error : {};
  const group = text(status.groupName) ?? '';
  const messageId = text(r.messageId);
  if (!messageId) throw new ParseError('report without messageId');
  // DELIVERED_TO_OPERATOR (2) is not a handset confirmation; PENDING decides nothing.
  const delivered = group === 'DELIVERED' && text(status.name) === 'DELIVERED_TO_HANDSET';
  const failed = group === 'UNDELIVERABLE' || group === 'EXPIRED' || group === 'REJECTED';
  if (!delivered && !failed) return null;
  const action = failed ? infobipAction(status, error, table) : 'none';
  const doneAt = text(r.doneAt);
  return makeEvent({
    type: delivered ? 'delivered' : 'sms_failure',
    channel: 'sms',
    address: smsNumber(text(r.to), 'to', 'Infobip', ctx.defaultPhoneRegion),
    occurredAt: toEpochMs(doneAt?.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'), fallbackAt),
    // §13.7: no event id; messageId|status.id|error.id|doneAt.
    dedupKey: ['dr', messageId, text(status.id) ?? '', text(error.id) ?? '', doneAt ?? ''].join(
      '|',
    ),
    reason: smsReason(action),
    severity: smsSeverity(action),
    errorCode: failed ? text(error.id) : null,
    fineReason: failed ? text(error.name) : null,
    diagnostic: failed ? text(error.description) : null,
    providerMessageId: messageId,
    details: Object.fromEntries(
      Object.entries({
        status: text(status.name),
        bulkId: text(r.bulkId),
        callbackData: text(r.callbackData),
      }).filter(([, v]) => v),
    ),
  });
}

/** Inbound (MO) messages forwarded to the MO URL [unverified field names, §13.5]. */
function inbound(r: Json, ctx: ParseContext, fallbackAt: number): NormalisedEvent | null {
  const keyword = smsKeyword(text(r.cleanText) ?? text(r.text));
  if (!keyword) return null;
  const messageId = text(r.messageId);
  if (!messageId) throw new ParseError('inbound message without messageId');
  return makeEvent({
    type: keyword.type,
    channel: 'sms',
    address: smsNumber(text(r.from), 'from', 'Infobip', ctx.defaultPhoneRegion),
    occurredAt: toEpochMs(text(r.receivedAt)?.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'), fallbackAt),
    dedupKey: `inbound|${messageId}`,
    reason: keyword.type === 'sms_opt_out' ? 'sms_opt_out' : null,
    severity: keyword.type === 'sms_opt_out' ? 'hard' : null,
    providerMessageId: messageId,
    details: { keyword: keyword.keyword, ...(text(r.to) ? { receivingNumber: text(r.to) } : {}) },
  });
}

/** Delivery reports and MO messages (`{"results": [...]}`, several per request; spec C §13). */
export function createInfobipAdapter(opts: InfobipAdapterOptions): SyncAdapter {
  const table = { ...INFOBIP_ERROR_CODES, ...(opts.errorCodes ?? {}) };
  return {
    name: 'infobip',
    verify: (req) => verifySharedSecret(req, opts),
    parse(req, ctx): AdapterResult {
      const body = parseJsonBody(req.rawBody);
      const results = isObject(body) && Array.isArray(body.results) ? body.results : null;
      if (!results) throw new ParseError('Infobip webhook: expected {"results": [...]}');
      const events: NormalisedEvent[] = [];
      const errors: ItemError[] = [];
      results.forEach((r, index) => {
        try {
          if (!isObject(r)) throw new ParseError('result is not an object');
          const e =
            r.status !== undefined
              ? report(r, ctx, table, req.receivedAt)
              : inbound(r, ctx, req.receivedAt);
          if (e) events.push(e);
        } catch (err) {
          errors.push({ index, error: (err as Error).message });
        }
      });
      if (events.length === 0 && errors.length === 0)
        return {
          kind: 'ignored',
          reason: 'no final delivery report or opt-out keyword in the batch',
        };
      return { kind: 'events', events, errors };
    },
  };
}
