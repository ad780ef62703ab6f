import { describe, expect, it } from 'vitest';
import { createVonageMessagesAdapter } from '../../../src/providers/vonage/vonage-messages.adapter.js';
import { createVonageSmsAdapter } from '../../../src/providers/vonage/vonage.adapter.js';
import type { AdapterResult } from '../../../src/providers/types.js';
import {
  form,
  SMS_CTX,
  smsFixture,
  smsRequest,
  vonageJwt,
  vonageSigned,
  VONAGE_SECRET,
} from '../../helpers/sms-signers.js';

const NOW = Date.UTC(2026, 0, 5, 12);
const NOW_S = NOW / 1_000;
const sms = createVonageSmsAdapter({
  signatureSecrets: [VONAGE_SECRET],
  signatureMethod: 'sha256',
  maxAgeSeconds: 300,
});
const messages = createVonageMessagesAdapter({
  signatureSecrets: [VONAGE_SECRET],
  maxAgeSeconds: 300,
  unsignedReply: 'retry',
});
const DLR = JSON.parse(smsFixture('vonage', 'sms-dlr-opt-out.json')) as Record<string, string>;
const postForm = (p: Record<string, string>) =>
  smsRequest(
    '/webhooks/vonage',
    form(p),
    { 'content-type': 'application/x-www-form-urlencoded' },
    NOW,
  );
const events = (r: AdapterResult) => (r.kind === 'events' ? r.events : []);

describe('Vonage SMS API adapter: verification', () => {
  it('accepts a signed form POST, a signed GET and a signed JSON POST', () => {
    const p = vonageSigned(DLR, NOW_S);
    expect(sms.verify(postForm(p))).toEqual({ ok: true });
    expect(sms.verify(smsRequest(`/webhooks/vonage?${form(p)}`, '', {}, NOW))).toEqual({
      ok: true,
    });
    expect(
      sms.verify(
        smsRequest(
          '/webhooks/vonage',
          JSON.stringify(p),
          { 'content-type': 'application/json' },
          NOW,
        ),
      ),
    ).toEqual({ ok: true });
  });

  it('rejects missing sig, wrong secret, tampered values, stale and future timestamps, empty body', () => {
    expect(sms.verify(postForm(DLR))).toEqual({ ok: false, reason: 'missing sig parameter' });
    expect(
      sms.verify(postForm(vonageSigned(DLR, NOW_S, 'sha256', 'another_secret_0123456789'))).ok,
    ).toBe(false);
    expect(sms.verify(postForm({ ...vonageSigned(DLR, NOW_S), 'err-code': '0' })).ok).toBe(false);
    expect(sms.verify(postForm(vonageSigned(DLR, NOW_S - 301))).ok).toBe(false);
    expect(sms.verify(postForm(vonageSigned(DLR, NOW_S + 301))).ok).toBe(false);
    expect(sms.verify(smsRequest('/webhooks/vonage', '', {}, NOW)).ok).toBe(false);
  });

  it('accepts the old and the new secret during a rotation, with the configured method', () => {
    const rotating = createVonageSmsAdapter({
      signatureSecrets: ['old_secret_0123456789abcdef', VONAGE_SECRET],
      signatureMethod: 'md5hash',
      maxAgeSeconds: 300,
    });
    expect(rotating.verify(postForm(vonageSigned(DLR, NOW_S, 'md5hash')))).toEqual({ ok: true });
    expect(rotating.verify(postForm(vonageSigned(DLR, NOW_S, 'sha512'))).ok).toBe(false);
  });
});

describe('Vonage SMS API adapter: receipts and inbound', () => {
  it('turns the §8.7 opt-out receipt (err-code 9) into an SMS opt-out for +447700900000', () => {
    expect(events(sms.parse(postForm(DLR), SMS_CTX))).toMatchObject([
      {
        type: 'sms_failure',
        channel: 'sms',
        address: '+447700900000',
        reason: 'sms_opt_out',
        severity: 'hard',
        errorCode: '9',
        providerMessageId: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
        occurredAt: Date.UTC(2020, 0, 1, 12),
        dedupKey: 'dlr|aaaaaaaa-bbbb-cccc-dddd-0123456789ab|failed|9|2001011400',
        details: { status: 'failed', sender: 'AcmeInc' },
      },
    ]);
  });

  it.each([
    ['3', 'invalid_number', 'hard'],
    ['4', 'invalid_number', 'hard'],
    ['14', 'carrier_rejection', 'hard'],
    ['2', 'sms_failure', 'soft'],
    ['11', 'sms_failure', 'soft'],
    ['6', null, null],
    ['10', null, null],
    ['77', 'sms_failure', 'soft'],
  ])('maps err-code %s to %s', (code, reason, severity) => {
    const [e] = events(sms.parse(postForm({ ...DLR, 'err-code': code }), SMS_CTX));
    expect(e).toMatchObject({ reason, severity, errorCode: code });
  });

  it('keeps a messageId with leading zeros as text and reads a delivered receipt', () => {
    const [e] = events(
      sms.parse(
        postForm({ ...DLR, messageId: '020000001B0FE827', status: 'delivered', 'err-code': '0' }),
        SMS_CTX,
      ),
    );
    expect(e).toMatchObject({
      type: 'delivered',
      reason: null,
      providerMessageId: '020000001B0FE827',
    });
  });

  it('ignores intermediate statuses', () => {
    expect(sms.parse(postForm({ ...DLR, status: 'buffered' }), SMS_CTX)).toEqual({
      kind: 'ignored',
      reason: 'delivery receipt status buffered is not tracked',
    });
  });

  it('turns an inbound STOP into an opt-out and START into an opt-in; other text is ignored', () => {
    const inbound = {
      msisdn: '447700900123',
      to: '447700900999',
      messageId: '0A0000000123ABCD',
      text: ' stop ',
      keyword: 'STOP',
      type: 'text',
      'message-timestamp': '2020-01-01 12:00:00 +0000',
    };
    expect(events(sms.parse(postForm(inbound), SMS_CTX))).toMatchObject([
      {
        type: 'sms_opt_out',
        address: '+447700900123',
        reason: 'sms_opt_out',
        dedupKey: 'inbound|0A0000000123ABCD',
        details: { keyword: 'STOP', receivingNumber: '447700900999' },
      },
    ]);
    expect(events(sms.parse(postForm({ ...inbound, text: 'START' }), SMS_CTX))[0]).toMatchObject({
      type: 'sms_opt_in',
      reason: null,
    });
    expect(sms.parse(postForm({ ...inbound, text: 'stop sending me deals' }), SMS_CTX).kind).toBe(
      'ignored',
    );
  });

  it('ignores parameters that are neither a receipt nor an inbound message', () => {
    expect(sms.parse(postForm({ foo: 'bar' }), SMS_CTX).kind).toBe('ignored');
  });
});

describe('Vonage Messages API adapter', () => {
  const body = smsFixture('vonage', 'messages-status-rejected.json');
  const signed = (b: string, iat = NOW_S) =>
    smsRequest(
      '/webhooks/vonage/messages',
      b,
      { 'content-type': 'application/json', authorization: `Bearer ${vonageJwt(b, iat)}` },
      NOW,
    );

  it('asks for a signed retry (503) when the callback is unsigned', () => {
    expect(messages.verify(smsRequest('/webhooks/vonage/messages', body, {}, NOW))).toMatchObject({
      ok: false,
      retryLater: true,
    });
    const strict = createVonageMessagesAdapter({
      signatureSecrets: [VONAGE_SECRET],
      maxAgeSeconds: 300,
      unsignedReply: 'reject',
    });
    expect(strict.verify(smsRequest('/webhooks/vonage/messages', body, {}, NOW))).toEqual({
      ok: false,
      reason: 'missing Authorization header',
    });
  });

  it('rejects a bad token with the 401 (no retry), and a token for another body', () => {
    const forged = smsRequest(
      '/webhooks/vonage/messages',
      body,
      { authorization: 'Bearer a.b.c' },
      NOW,
    );
    expect(messages.verify(forged)).toMatchObject({ ok: false });
    expect(messages.verify(forged)).not.toHaveProperty('retryLater');
    const other = signed('{"status":"delivered"}');
    expect(messages.verify({ ...other, rawBody: Buffer.from(body) }).ok).toBe(false);
    expect(messages.verify(signed(body))).toEqual({ ok: true });
  });

  it('turns the §8.7 rejected status (1240) into an SMS opt-out', () => {
    expect(events(messages.parse(signed(body), SMS_CTX))).toMatchObject([
      {
        type: 'sms_failure',
        address: '+447700900000',
        reason: 'sms_opt_out',
        errorCode: '1240',
        diagnostic: 'Illegal Number',
        occurredAt: Date.parse('2025-02-03T12:14:25Z'),
        dedupKey: 'messages|aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab|rejected|2025-02-03T12:14:25Z',
      },
    ]);
  });

  it('reads the v0.1 schema, maps invalid numbers, ignores other channels and submitted', () => {
    const v01 = JSON.stringify({
      message_uuid: 'u1',
      to: { type: 'sms', number: '447700900002' },
      status: 'undeliverable',
      timestamp: '2025-02-03T12:14:25Z',
      error: { code: 1170, reason: 'Invalid MSISDN' },
    });
    expect(events(messages.parse(signed(v01), SMS_CTX))[0]).toMatchObject({
      address: '+447700900002',
      reason: 'invalid_number',
      errorCode: '1170',
    });
    const wa = JSON.stringify({
      message_uuid: 'u2',
      to: '447700900003',
      status: 'rejected',
      channel: 'whatsapp',
    });
    expect(messages.parse(signed(wa), SMS_CTX)).toEqual({
      kind: 'ignored',
      reason: 'message on the whatsapp channel, not SMS',
    });
    const sub = JSON.stringify({
      message_uuid: 'u3',
      to: '447700900003',
      status: 'submitted',
      channel: 'sms',
    });
    expect(messages.parse(signed(sub), SMS_CTX).kind).toBe('ignored');
  });

  it('turns an inbound STOP into an opt-out for the sender', () => {
    const inbound = JSON.stringify({
      channel: 'sms',
      message_uuid: 'in-1',
      to: '447700900999',
      from: '447700900444',
      timestamp: '2025-02-03T12:14:25Z',
      text: 'STOP',
      sms: { keyword: 'STOP' },
    });
    expect(events(messages.parse(signed(inbound), SMS_CTX))).toMatchObject([
      { type: 'sms_opt_out', address: '+447700900444', dedupKey: 'inbound|in-1' },
    ]);
  });
});
