import { ParseError } from '../../core/errors.js';
import { makeEvent } from '../../core/events.js';
import { isObject, parseJsonBody, toEpochMs } from '../shared/json-body.js';
import {
  smsActionFor,
  smsNumber,
  smsReason,
  smsSeverity,
  text,
  type SmsCodeAction,
  type SyncAdapter,
} from '../shared/sms.js';
import type { AdapterResult, ParseContext, WebhookRequest } from '../types.js';
import { codeTable, inboundKeywordEvent } from './messagebird.adapter.js';
import { verifyBird } from './messagebird-signature.js';

export interface BirdAdapterOptions {
  signingKeys: readonly string[];
  /** `BOUNCER_PUBLIC_URL`: Bird signs the URL it requested (query included). */
  publicUrl: string;
  maxAgeSeconds: number;
  errorCodes?: Readonly<Record<string, SmsCodeAction>>;
}

type Json = Record<string, unknown>;

/** First contact's identifier of a Bird party (`receiver.contacts[]` / `sender.contact`) [unverified shape]. */
function contactNumber(party: unknown): string | null {
  if (!isObject(party)) return null;
  const contacts = Array.isArray(party.contacts) ? party.contacts : [party.contact];
  const first = contacts.find(isObject);
  return first ? (text(first.identifierValue) ?? text(first.phoneNumber)) : null;
}

const FAILED = new Set(['delivery_failed', 'sending_failed', 'rejected']);

function outbound(
  payload: Json,
  table: ReturnType<typeof codeTable>,
  ctx: ParseContext,
  fallbackAt: number,
): AdapterResult {
  const status = (text(payload.status) ?? '').toLowerCase();
  const id = text(payload.id);
  if (!id) throw new ParseError('Bird webhook: payload without id');
  if (status !== 'delivered' && !FAILED.has(status))
    return { kind: 'ignored', reason: `message status ${status || '(none)'} is not tracked` };
  const failure = isObject(payload.failure) ? payload.failure : {};
  const source = isObject(failure.source) ? failure.source : {};
  // §11.4: failure.source.code is the GSM/MAP error; failure.code Bird's own group code.
  const code = text(source.code) ?? text(failure.code);
  const action = status === 'delivered' ? 'none' : smsActionFor(table, text(source.code));
  const updatedAt = text(payload.updatedAt) ?? text(payload.createdAt);
  const address = smsNumber(
    contactNumber(payload.receiver) ?? '',
    'receiver',
    'Bird',
    ctx.defaultPhoneRegion,
  );
  const event = makeEvent({
    type: status === 'delivered' ? 'delivered' : 'sms_failure',
    channel: 'sms',
    address,
    occurredAt: toEpochMs(updatedAt, fallbackAt),
    dedupKey: ['bird', id, status, text(source.code) ?? '', updatedAt ?? ''].join('|'),
    reason: smsReason(action),
    severity: smsSeverity(action),
    errorCode: code,
    diagnostic: text(payload.reason),
    providerMessageId: id,
    details: { status, ...(text(failure.code) ? { birdCode: text(failure.code) } : {}) },
  });
  return { kind: 'events', events: [event], errors: [] };
}

function parse(
  req: WebhookRequest,
  ctx: ParseContext,
  table: ReturnType<typeof codeTable>,
): AdapterResult {
  const body = parseJsonBody(req.rawBody);
  if (!isObject(body)) throw new ParseError('Bird webhook: expected a JSON object');
  const event = text(body.event) ?? '(none)';
  const payload = isObject(body.payload) ? body.payload : null;
  if (!payload) throw new ParseError('Bird webhook: missing payload');
  if (event === 'sms.outbound') return outbound(payload, table, ctx, req.receivedAt);
  if (event === 'sms.inbound') {
    const bodyText =
      isObject(payload.body) && isObject(payload.body.text) ? text(payload.body.text.text) : null;
    return inboundKeywordEvent(
      'Bird',
      bodyText ?? undefined,
      contactNumber(payload.sender) ?? undefined,
      contactNumber(payload.receiver) ?? undefined,
      text(payload.id) ?? '',
      toEpochMs(text(payload.createdAt), req.receivedAt),
      ctx,
    );
  }
  return { kind: 'ignored', reason: `event ${event} is not tracked` };
}

/** Bird platform webhooks for the SMS channel (spec C §11.4). */
export function createBirdAdapter(opts: BirdAdapterOptions): SyncAdapter {
  const base = opts.publicUrl.replace(/\/+$/, '');
  const table = codeTable(opts.errorCodes);
  return {
    name: 'bird',
    verify: (req) =>
      verifyBird(
        {
          rawBody: req.rawBody,
          headers: req.headers,
          url: base + req.url,
          nowSeconds: req.receivedAt / 1_000,
        },
        opts.signingKeys,
        opts.maxAgeSeconds,
      ),
    parse: (req, ctx) => parse(req, ctx, table),
  };
}
