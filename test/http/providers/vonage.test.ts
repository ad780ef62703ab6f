import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import { eventsFor, expectUnauthorized, suppressionOf } from '../../helpers/provider-http.js';
import {
  form,
  smsFixture,
  vonageJwt,
  vonageSigned,
  VONAGE_SECRET,
} from '../../helpers/sms-signers.js';

// KAT #6's iat, so the spec's own token is fresh on this clock.
const START_MS = 1738584866_000 + 5_000;
const ENV = { BOUNCER_VONAGE_SIGNATURE_SECRET: VONAGE_SECRET };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const KAT6_TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3Mzg1ODQ4NjYsImp0aSI6ImM1YWQ4YTJlLTRiN2MtNGExZi05ZDNlLTJmNmI4ZTBhMWM3ZCIsImlzcyI6IlZvbmFnZSIsInBheWxvYWRfaGFzaCI6ImI4N2M5MTUwYjdlZTVkZWFkNGQ2MjQ0OWMzMWQ3ZjBiNDQxYzRmMWEzOTRlNmJmZThiNzBhNDQ1MDkwNjQyMzQiLCJhcGlfa2V5IjoiYWJjZDEyMzQiLCJhcHBsaWNhdGlvbl9pZCI6ImFhYWFhYWFhLWJiYmItY2NjYy1kZGRkLTAxMjM0NTY3ODlhYiJ9.8dCil2PiYQ_JW0bzfnyMGfV4PrvjwPj7zyO9iB0dxQI';

async function check(t: TestApp, number: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/check',
    headers: auth(),
    payload: { recipients: [number] },
  });
  return res.json<{
    allowed: string[];
    suppressed: Array<{ reason: string; channel: string; source: string }>;
  }>();
}

describe.each(testDialects())('/webhooks/vonage on %s', (dialect) => {
  const clock = new FixedClock(START_MS);
  let t: TestApp;
  const now = () => Math.floor(clock.now() / 1_000);
  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock, env: ENV });
  });
  afterAll(async () => t.close());

  it('turns the §8.7 opt-out receipt (signed form POST) into an opt-out that /v1/check refuses', async () => {
    const dlr = JSON.parse(smsFixture('vonage', 'sms-dlr-opt-out.json')) as Record<string, string>;
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/vonage',
      headers: FORM,
      payload: form(vonageSigned(dlr, now())),
    });
    expect(res.statusCode).toBe(200);
    await t.drain();
    expect(await suppressionOf(t, '+447700900000')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'sms_opt_out', source: 'vonage', until: null }],
    });
    expect(await check(t, '+44 7700 900000')).toMatchObject({
      allowed: [],
      suppressed: [{ reason: 'sms_opt_out', channel: 'sms' }],
    });
  });

  it('takes a signed GET receipt: err-code 3 makes the number invalid for good', async () => {
    const p = vonageSigned(
      {
        msisdn: '447700900111',
        to: 'AcmeInc',
        messageId: '0B0000000000AAAA',
        status: 'failed',
        'err-code': '3',
        scts: '2001011400',
      },
      now(),
      'sha256',
    );
    const res = await t.app.inject({ method: 'GET', url: `/webhooks/vonage?${form(p)}` });
    expect(res.statusCode).toBe(200);
    await t.drain();
    expect(await check(t, '+447700900111')).toMatchObject({
      suppressed: [{ reason: 'invalid_number' }],
    });
  });

  it('accepts the KAT #6 Messages API status (1240) with its own token', async () => {
    const body = smsFixture('vonage', 'messages-status-rejected.json');
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/vonage/messages',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KAT6_TOKEN}` },
      payload: body,
    });
    expect(res.statusCode).toBe(200);
    await t.drain();
    const events = await eventsFor(t, '+447700900000');
    expect(events.map((e) => [e.type, e.reason, e.error_code])).toEqual([
      ['sms_failure', 'sms_opt_out', '9'],
      ['sms_failure', 'sms_opt_out', '1240'],
    ]);
  });

  it('answers an unsigned Messages callback with 503 (Vonage retries it signed), a forged one with 401', async () => {
    const body =
      '{"message_uuid":"x","to":"447700900222","status":"rejected","channel":"sms","error":{"title":"1170"}}';
    const unsigned = await t.app.inject({
      method: 'POST',
      url: '/webhooks/vonage/messages',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    expect(unsigned.statusCode).toBe(503);
    const forged = await t.app.inject({
      method: 'POST',
      url: '/webhooks/vonage/messages',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${vonageJwt(body, now(), 'another_secret_0123456789abc')}`,
      },
      payload: body,
    });
    expectUnauthorized(forged);
    const badSig = await t.app.inject({
      method: 'POST',
      url: '/webhooks/vonage',
      headers: FORM,
      payload: form({
        ...vonageSigned(
          { msisdn: '447700900222', messageId: 'm', status: 'failed', 'err-code': '3' },
          now(),
        ),
        'err-code': '0',
      }),
    });
    expectUnauthorized(badSig);
    await t.drain();
    expect(await check(t, '+447700900222')).toMatchObject({ allowed: ['+447700900222'] });
  });

  it('lifts its own opt-out when the number texts START, answering an empty 200', async () => {
    clock.advance(60_000);
    const inbound = vonageSigned(
      {
        msisdn: '447700900000',
        to: '447700900999',
        messageId: '0C0000000000BBBB',
        text: 'START',
        keyword: 'START',
        type: 'text',
      },
      now(),
    );
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/vonage',
      headers: FORM,
      payload: form(inbound),
    });
    expect(res.statusCode).toBe(200);
    await t.drain();
    expect(await check(t, '+447700900000')).toMatchObject({ allowed: ['+447700900000'] });
  });
});
