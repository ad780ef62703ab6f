import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import { expectUnauthorized, suppressionOf } from '../../helpers/provider-http.js';
import { smsFixture, telnyxHeaders, TELNYX_PUBLIC_KEY_B64 } from '../../helpers/sms-signers.js';

const KAT9_TS = 1736760161;
const BODY = smsFixture('telnyx', 'message-finalized-40300.json');

async function check(t: TestApp, number: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/check',
    headers: auth(),
    payload: { recipients: [number] },
  });
  return res.json<{ allowed: string[]; suppressed: Array<{ reason: string }> }>();
}

describe.each(testDialects())('/webhooks/telnyx on %s', (dialect) => {
  const clock = new FixedClock(KAT9_TS * 1_000 + 9_000);
  let t: TestApp;
  const send = (body: string) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/telnyx',
      headers: telnyxHeaders(body, Math.floor(clock.now() / 1_000)),
      payload: body,
    });
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock,
      env: { BOUNCER_TELNYX_PUBLIC_KEY: TELNYX_PUBLIC_KEY_B64 },
    });
  });
  afterAll(async () => t.close());

  it('turns the KAT #9 sample, with its own signature, into an opt-out /v1/check refuses', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/telnyx',
      headers: {
        'content-type': 'application/json',
        'telnyx-timestamp': String(KAT9_TS),
        'telnyx-signature-ed25519':
          '0YzvG1QiM3+5LEYI9TDSyJFc3P6F3ASdg2qG4ygOoALJhYpV3Ai73EeeSXUx2kmQyE+UT2ioZWpSkJ3s4kXMAA==',
      },
      payload: BODY,
    });
    expect(res.statusCode).toBe(200);
    await t.drain();
    expect(await suppressionOf(t, '+15555550123')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'sms_opt_out', source: 'telnyx' }],
    });
    expect(await check(t, '+15555550123')).toMatchObject({ allowed: [] });
  });

  it('records an invalid number (40012) and refuses a replay outside the window', async () => {
    const body = JSON.stringify({
      data: {
        event_type: 'message.finalized',
        id: 'evt-http-2',
        payload: {
          id: 'm2',
          to: [{ phone_number: '+15555550130', status: 'delivery_failed' }],
          errors: [{ code: '40012', title: 'Invalid destination number' }],
        },
      },
    });
    expect((await send(body)).statusCode).toBe(200);
    await t.drain();
    expect(await check(t, '+15555550130')).toMatchObject({
      suppressed: [{ reason: 'invalid_number' }],
    });
    clock.advance(301_000);
    const stale = await t.app.inject({
      method: 'POST',
      url: '/webhooks/telnyx',
      headers: telnyxHeaders(body, KAT9_TS),
      payload: body,
    });
    expectUnauthorized(stale);
  });

  it('lifts its own opt-out on an inbound START', async () => {
    const body = JSON.stringify({
      data: {
        event_type: 'message.received',
        id: 'evt-http-3',
        payload: {
          id: 'm3',
          type: 'SMS',
          text: 'START',
          from: { phone_number: '+15555550123' },
          to: [{ phone_number: '+15555550100' }],
        },
      },
    });
    expect((await send(body)).statusCode).toBe(200);
    await t.drain();
    expect(await check(t, '+15555550123')).toMatchObject({ allowed: ['+15555550123'] });
  });
});
