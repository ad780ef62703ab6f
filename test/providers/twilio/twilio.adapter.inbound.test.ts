import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/core/errors.js';
import type { NormalisedEvent } from '../../../src/core/events.js';
import {
  createTwilioInboundAdapter,
  TWIML_CONTENT_TYPE,
  TWIML_EMPTY_RESPONSE,
} from '../../../src/providers/twilio/twilio.adapter.js';
import type { AdapterResult } from '../../../src/providers/types.js';
import {
  formBody,
  inboundParams,
  signedTwilioRequest,
  TWILIO_SPEC_SAMPLES,
  TWILIO_TEST_PUBLIC_URL,
  TWILIO_TEST_RECEIVED_AT,
  TWILIO_TEST_TOKEN,
  twilioSpecSample,
  webhookRequest,
  type FormParams,
} from '../../helpers/twilio-signer.js';

const ctx = { defaultPhoneRegion: 'US' };
const PATH = '/webhooks/twilio/inbound';
const adapter = createTwilioInboundAdapter({
  authTokens: [TWILIO_TEST_TOKEN],
  publicUrl: TWILIO_TEST_PUBLIC_URL,
});

function parseSigned(params: FormParams): AdapterResult {
  const req = signedTwilioRequest(inboundParams(params), { path: PATH });
  expect(adapter.verify(req)).toEqual({ ok: true });
  return adapter.parse(req, ctx);
}

function onlyEvent(result: AdapterResult): NormalisedEvent {
  if (result.kind !== 'events') throw new Error(`expected events, got ${result.kind}`);
  expect(result.events).toHaveLength(1);
  return result.events[0] as NormalisedEvent;
}

describe('Twilio inbound adapter', () => {
  it('maps the spec §2.12 inbound STOP sample (Advanced Opt-Out) to an sms_opt_out for From', () => {
    const req = twilioSpecSample('inboundStop');
    expect(adapter.verify(req)).toEqual({ ok: true });
    expect(onlyEvent(adapter.parse(req, ctx))).toEqual({
      type: 'sms_opt_out',
      channel: 'sms',
      address: '+15558675310',
      scope: '*',
      reason: 'sms_opt_out',
      severity: null,
      fineReason: null,
      smtpCode: null,
      enhancedStatus: null,
      diagnostic: null,
      errorCode: null,
      providerMessageId: 'SMdddddddddddddddddddddddddddddddd',
      campaign: null,
      occurredAt: TWILIO_TEST_RECEIVED_AT,
      dedupKey: 'SMdddddddddddddddddddddddddddddddd',
      details: {
        keyword: 'STOP',
        optOutType: 'STOP',
        accountSid: 'ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        messagingServiceSid: 'MGcccccccccccccccccccccccccccccccc',
        receivingNumber: '+15017250604',
      },
    });
  });

  it('rejects a missing signature, a wrong token and a tampered body', () => {
    const { path, signature, body } = TWILIO_SPEC_SAMPLES.inboundStop;
    expect(adapter.verify(webhookRequest(path, body, {})).ok).toBe(false);
    expect(
      adapter.verify(
        signedTwilioRequest(inboundParams(), {
          path: PATH,
          token: 'wrong_token_0123456789abcdef0000',
        }),
      ).ok,
    ).toBe(false);
    const tampered = body.replace('From=%2B15558675310', 'From=%2B15558675311');
    expect(
      adapter.verify(webhookRequest(path, tampered, { 'x-twilio-signature': signature })).ok,
    ).toBe(false);
  });

  it('accepts a request signed with either rotated token', () => {
    const rotating = createTwilioInboundAdapter({
      authTokens: [TWILIO_TEST_TOKEN, 'next_token_0123456789abcdef00000'],
      publicUrl: TWILIO_TEST_PUBLIC_URL,
    });
    const req = signedTwilioRequest(inboundParams({ Body: 'STOP' }), {
      path: PATH,
      token: 'next_token_0123456789abcdef00000',
    });
    expect(rotating.verify(req)).toEqual({ ok: true });
  });

  it.each([
    'STOP',
    'stop',
    '  Stop\n',
    'STOPALL',
    'unsubscribe',
    'Cancel',
    'END',
    'quit',
    'REVOKE',
    'OptOut',
  ])('treats the whole-body keyword %j as an opt-out', (body) => {
    expect(onlyEvent(parseSigned({ Body: body }))).toMatchObject({
      type: 'sms_opt_out',
      reason: 'sms_opt_out',
      address: '+15558675310',
    });
  });

  it.each(['START', 'start', ' Unstop ', 'yes', 'YES\t'])(
    'treats the whole-body keyword %j as an opt-in',
    (body) => {
      expect(onlyEvent(parseSigned({ Body: body }))).toMatchObject({
        type: 'sms_opt_in',
        reason: null,
        address: '+15558675310',
      });
    },
  );

  it.each(['Stop please', 'STOP.', 'please stop', 'HELP', 'INFO', 'Hello', ''])(
    'ignores %j, which Twilio does not act on either',
    (body) => {
      expect(parseSigned({ Body: body })).toEqual({
        kind: 'ignored',
        reason: 'inbound message is not an opt-out or opt-in keyword',
      });
    },
  );

  it('trusts OptOutType from Advanced Opt-Out over the body (custom keywords)', () => {
    expect(onlyEvent(parseSigned({ Body: 'ARRET', OptOutType: 'STOP' }))).toMatchObject({
      type: 'sms_opt_out',
      details: { keyword: 'STOP' },
    });
    expect(onlyEvent(parseSigned({ Body: 'Subscribe me', OptOutType: 'START' }))).toMatchObject({
      type: 'sms_opt_in',
    });
    expect(parseSigned({ Body: 'HELP', OptOutType: 'HELP' })).toMatchObject({ kind: 'ignored' });
  });

  it('keeps the body keyword out of details unless it matched', () => {
    const event = onlyEvent(parseSigned({ Body: ' stop ' }));
    expect(event.details).toEqual({
      keyword: 'STOP',
      accountSid: 'ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      messagingServiceSid: 'MGcccccccccccccccccccccccccccccccc',
      receivingNumber: '+15017250604',
    });
  });

  it('dedups on MessageSid', () => {
    const first = onlyEvent(parseSigned({ Body: 'STOP' }));
    const again = onlyEvent(parseSigned({ Body: 'STOP' }));
    const other = onlyEvent(
      parseSigned({ Body: 'STOP', MessageSid: 'SMeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee' }),
    );
    expect(again.dedupKey).toBe(first.dedupKey);
    expect(other.dedupKey).toBe('SMeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee');
  });

  it('ignores a STOP on WhatsApp rather than suppressing SMS to that number', () => {
    expect(parseSigned({ Body: 'STOP', From: 'whatsapp:+15558675310' })).toEqual({
      kind: 'ignored',
      reason: 'From is on the whatsapp channel, not SMS',
    });
  });

  it('throws ParseError for an empty body, a missing From and a From that is not a number', () => {
    expect(() => adapter.parse(webhookRequest(PATH, '', {}), ctx)).toThrow(ParseError);
    const noFrom = inboundParams({ Body: 'STOP' });
    delete noFrom.From;
    expect(() => adapter.parse(webhookRequest(PATH, formBody(noFrom), {}), ctx)).toThrow(
      'missing From',
    );
    expect(() => parseSigned({ Body: 'STOP', From: '12' })).toThrow(ParseError);
  });

  it('exports the empty TwiML document the inbound route answers with', () => {
    expect(TWIML_EMPTY_RESPONSE).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(TWIML_CONTENT_TYPE).toBe('text/xml');
  });
});
