import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/core/errors.js';
import type { NormalisedEvent } from '../../../src/core/events.js';
import { createTwilioStatusAdapter } from '../../../src/providers/twilio/twilio.adapter.js';
import type { AdapterResult } from '../../../src/providers/types.js';
import {
  signedTwilioRequest,
  statusParams,
  twilioSpecSample,
  TWILIO_TEST_PUBLIC_URL,
  TWILIO_TEST_RECEIVED_AT,
  TWILIO_TEST_TOKEN,
  type FormParams,
} from '../../helpers/twilio-signer.js';

const ctx = { defaultPhoneRegion: 'US' };
const PATH = '/webhooks/twilio/status';
const adapter = createTwilioStatusAdapter({
  authTokens: [TWILIO_TEST_TOKEN],
  publicUrl: TWILIO_TEST_PUBLIC_URL,
});
const sampleRequest = twilioSpecSample;

function onlyEvent(result: AdapterResult): NormalisedEvent {
  if (result.kind !== 'events') throw new Error(`expected events, got ${result.kind}`);
  expect(result.errors).toEqual([]);
  expect(result.events).toHaveLength(1);
  return result.events[0] as NormalisedEvent;
}

function failure(overrides: FormParams): NormalisedEvent {
  const req = signedTwilioRequest(statusParams(overrides), { path: PATH });
  expect(adapter.verify(req)).toEqual({ ok: true });
  return onlyEvent(adapter.parse(req, ctx));
}

describe('Twilio status adapter: parsing', () => {
  it('maps the spec §2.12 sample (undelivered, 30005) to an invalid_number failure for To', () => {
    const event = onlyEvent(adapter.parse(sampleRequest('status'), ctx));
    expect(event).toEqual({
      type: 'sms_failure',
      channel: 'sms',
      address: '+15558675310',
      scope: '*',
      reason: 'invalid_number',
      severity: 'hard',
      fineReason: null,
      smtpCode: null,
      enhancedStatus: null,
      diagnostic: null,
      errorCode: '30005',
      providerMessageId: 'SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
      campaign: null,
      occurredAt: TWILIO_TEST_RECEIVED_AT,
      dedupKey: 'SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:undelivered:30005',
      details: {
        status: 'undelivered',
        accountSid: 'ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        messagingServiceSid: 'MGcccccccccccccccccccccccccccccccc',
        rawDlrDoneDate: '2403121530',
      },
    });
  });

  it('maps delivered to a delivered event with no reason, keyed by MessageSid:delivered', () => {
    const event = failure({ MessageStatus: 'delivered', SmsStatus: 'delivered' });
    expect(event).toMatchObject({
      type: 'delivered',
      reason: null,
      severity: null,
      errorCode: null,
      address: '+15558675310',
    });
    expect(event.dedupKey).toBe('SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:delivered');
  });

  it('records a failure without ErrorCode with no reason (unknown failure)', () => {
    const event = failure({ MessageStatus: 'failed' });
    expect(event).toMatchObject({
      type: 'sms_failure',
      reason: null,
      severity: null,
      errorCode: null,
    });
    expect(event.dedupKey).toBe('SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:failed');
  });

  it.each([
    'queued',
    'sending',
    'sent',
    'accepted',
    'scheduled',
    'canceled',
    'read',
    'partially_delivered',
    'receiving',
    'received',
    'brand_new',
  ])('ignores the %s status', (status) => {
    const req = signedTwilioRequest(statusParams({ MessageStatus: status }), { path: PATH });
    expect(adapter.parse(req, ctx)).toEqual({
      kind: 'ignored',
      reason: `message status ${status} is not tracked`,
    });
  });

  it('falls back to the legacy SmsSid and SmsStatus fields', () => {
    const params = statusParams({ MessageStatus: 'delivered' });
    delete params.MessageSid;
    delete params.MessageStatus;
    params.SmsStatus = 'delivered';
    const req = signedTwilioRequest(params, { path: PATH });
    expect(onlyEvent(adapter.parse(req, ctx))).toMatchObject({
      type: 'delivered',
      providerMessageId: 'SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
    });
  });

  it('ignores WhatsApp and other non-SMS channels on purpose', () => {
    const req = signedTwilioRequest(
      statusParams({ To: 'whatsapp:+15558675310', ErrorCode: '63014' }),
      { path: PATH },
    );
    expect(adapter.parse(req, ctx)).toEqual({
      kind: 'ignored',
      reason: 'To is on the whatsapp channel, not SMS',
    });
  });

  it('reads a national number in the default region and accepts tel: URIs', () => {
    expect(failure({ To: '(555) 867-5310', ErrorCode: '30005' }).address).toBe('+15558675310');
    expect(failure({ To: 'tel:+44 20 7946 0958', ErrorCode: '30005' }).address).toBe(
      '+442079460958',
    );
  });

  it('throws ParseError for a To that is not a phone number, without the full number in the message', () => {
    const req = signedTwilioRequest(statusParams({ To: '+1555867531099999', ErrorCode: '30005' }), {
      path: PATH,
    });
    expect(() => adapter.parse(req, ctx)).toThrow(ParseError);
    expect(() => adapter.parse(req, ctx)).not.toThrow(/5558675310/);
  });

  it('throws ParseError for an empty body and for missing MessageSid, MessageStatus or To', () => {
    expect(() => adapter.parse(signedTwilioRequest({}, { path: PATH }), ctx)).toThrow(/empty body/);
    for (const field of ['MessageSid', 'MessageStatus', 'To']) {
      const params = statusParams({ SmsSid: '', SmsStatus: '' });
      delete params[field];
      expect(() => adapter.parse(signedTwilioRequest(params, { path: PATH }), ctx)).toThrow(
        `missing ${field}`,
      );
    }
  });

  it('gives the same dedup key to the same callback twice and a different one per status', () => {
    const first = failure({ ErrorCode: '30003' });
    const again = failure({ ErrorCode: '30003' });
    const failed = failure({ MessageStatus: 'failed', ErrorCode: '30003' });
    expect(again.dedupKey).toBe(first.dedupKey);
    expect(failed.dedupKey).not.toBe(first.dedupKey);
  });
});
