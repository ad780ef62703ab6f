import { ParseError } from '../../core/errors.js';
import { makeEvent } from '../../core/events.js';
import { isObject, toEpochMs } from '../shared/json-body.js';
import {
  smsKeyword,
  smsNumber,
  smsReason,
  smsSeverity,
  text,
  type SmsCodeAction,
} from '../shared/sms.js';
import type { AdapterResult, ParseContext } from '../types.js';

/**
 * AWS End User Messaging SMS event records (spec C §14.2–14.3) and two-way SMS inbound messages
 * (§14.4), whichever transport brought them (SNS `Message`, EventBridge `detail`).
 */

/** `eventType` → action for the failure types; TEXT_BLOCKED is the number, the others content. */
export const AWS_SMS_EVENT_ACTIONS: Readonly<Record<string, SmsCodeAction>> = Object.freeze({
  TEXT_INVALID: 'invalid_number', // destination number invalid
  TEXT_UNREACHABLE: 'sms_failure', // handset off or out of coverage
  TEXT_CARRIER_UNREACHABLE: 'sms_failure', // carrier trouble (temporary)
  TEXT_TTL_EXPIRED: 'sms_failure', // not delivered within the time-to-live
  TEXT_UNKNOWN: 'sms_failure', // outcome unknown, including the 72-hour timeout
  TEXT_BLOCKED: 'carrier_rejection', // blocked on the device or carrier side
  TEXT_CARRIER_BLOCKED: 'none', // carrier block, usually content or registration
  TEXT_SPAM: 'none', // classified as spam (content)
  TEXT_INVALID_MESSAGE: 'none', // message body invalid
  TEXT_PROTECT_BLOCKED: 'none', // SMS Protect (our own setting)
});
const DELIVERED = new Set(['TEXT_DELIVERED', 'TEXT_SUCCESSFUL']);

export type Record_ = Record<string, unknown>;

function deliveryEvent(
  r: Record_,
  actions: Readonly<Record<string, SmsCodeAction>>,
  ctx: ParseContext,
  fallbackAt: number,
): AdapterResult {
  const type = text(r.eventType) ?? '';
  const messageId = text(r.messageId);
  if (!messageId) throw new ParseError('AWS SMS event without messageId');
  const delivered = DELIVERED.has(type);
  const action = actions[type];
  if (!delivered && action === undefined)
    return { kind: 'ignored', reason: `event type ${type || '(none)'} is not tracked` };
  const at = toEpochMs(r.eventTimestamp, fallbackAt);
  const event = makeEvent({
    type: delivered ? 'delivered' : 'sms_failure',
    channel: 'sms',
    address: smsNumber(
      text(r.destinationPhoneNumber),
      'destinationPhoneNumber',
      'AWS SMS',
      ctx.defaultPhoneRegion,
    ),
    occurredAt: at,
    // §14.2: no event id; messageId|eventType|eventTimestamp.
    dedupKey: ['event', messageId, type, String(r.eventTimestamp ?? '')].join('|'),
    reason: delivered ? null : smsReason(action ?? 'none'),
    severity: delivered ? null : smsSeverity(action ?? 'none'),
    errorCode: delivered ? null : type,
    diagnostic: text(r.messageStatusDescription),
    providerMessageId: messageId,
    details: Object.fromEntries(
      Object.entries({
        status: text(r.messageStatus),
        sender: text(r.originationPhoneNumber),
        messageType: text(r.messageType),
      }).filter(([, v]) => v),
    ),
  });
  return { kind: 'events', events: [event], errors: [] };
}

function inboundEvent(r: Record_, ctx: ParseContext, fallbackAt: number): AdapterResult {
  const keyword = smsKeyword(text(r.messageBody));
  if (!keyword)
    return { kind: 'ignored', reason: 'inbound message is not an opt-out or opt-in keyword' };
  const id = text(r.inboundMessageId);
  if (!id) throw new ParseError('AWS SMS inbound message without inboundMessageId');
  const event = makeEvent({
    type: keyword.type,
    channel: 'sms',
    address: smsNumber(
      text(r.originationNumber),
      'originationNumber',
      'AWS SMS',
      ctx.defaultPhoneRegion,
    ),
    occurredAt: fallbackAt,
    dedupKey: `inbound|${id}`,
    reason: keyword.type === 'sms_opt_out' ? 'sms_opt_out' : null,
    severity: keyword.type === 'sms_opt_out' ? 'hard' : null,
    providerMessageId: id,
    details: {
      keyword: keyword.keyword,
      ...(text(r.destinationNumber) ? { receivingNumber: text(r.destinationNumber) } : {}),
    },
  });
  return { kind: 'events', events: [event], errors: [] };
}

export function mapAwsSmsRecord(
  record: unknown,
  actions: Readonly<Record<string, SmsCodeAction>>,
  ctx: ParseContext,
  fallbackAt: number,
): AdapterResult {
  if (!isObject(record)) throw new ParseError('AWS SMS message is not a JSON object');
  if (record.eventType !== undefined) return deliveryEvent(record, actions, ctx, fallbackAt);
  if (record.originationNumber !== undefined && record.messageBody !== undefined)
    return inboundEvent(record, ctx, fallbackAt);
  return { kind: 'ignored', reason: 'neither an SMS event nor an inbound message' };
}
