import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plivoV3Base } from '../../../src/providers/plivo/plivo-signature.js';
import { auth, buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import { expectUnauthorized, suppressionOf } from '../../helpers/provider-http.js';
import { PLIVO_TOKEN, plivoV3Headers, smsFixture } from '../../helpers/sms-signers.js';

const PUBLIC = 'https://hooks.example.com';
const ENV = { BOUNCER_PLIVO_AUTH_TOKEN: PLIVO_TOKEN, BOUNCER_PUBLIC_URL: PUBLIC };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const BODY = smsFixture('plivo', 'status-undelivered-200.form');

function post(t: TestApp, body: string, nonce: string) {
  const params = Object.fromEntries([...new URLSearchParams(body)].map(([k, v]) => [k, [v]]));
  const headers = plivoV3Headers(plivoV3Base('POST', `${PUBLIC}/webhooks/plivo`, params), nonce);
  return t.app.inject({
    method: 'POST',
    url: '/webhooks/plivo',
    headers: { ...FORM, ...headers },
    payload: body,
  });
}

async function check(t: TestApp, number: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/check',
    headers: auth(),
    payload: { recipients: [number] },
  });
  return res.json<{ allowed: string[]; suppressed: Array<{ reason: string }> }>();
}

describe.each(testDialects())('/webhooks/plivo on %s', (dialect) => {
  const clock = new FixedClock(Date.UTC(2026, 0, 5, 12));
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock, env: ENV });
  });
  afterAll(async () => t.close());

  it('turns the §9.7 sample (ErrorCode 200) into an opt-out that /v1/check refuses', async () => {
    const res = await post(t, BODY, '1001');
    expect(res.statusCode).toBe(200);
    await t.drain();
    expect(await suppressionOf(t, '+14155550123')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'sms_opt_out', source: 'plivo' }],
    });
    expect(await check(t, '+14155550123')).toMatchObject({
      allowed: [],
      suppressed: [{ reason: 'sms_opt_out' }],
    });
  });

  it('marks an invalid destination (50) from a signed GET callback', async () => {
    const query = BODY.replace('ErrorCode=200', 'ErrorCode=50').replace(
      '14155550123',
      '14155550124',
    );
    const headers = plivoV3Headers(
      plivoV3Base('GET', `${PUBLIC}/webhooks/plivo?${query}`, {}),
      '1002',
    );
    const res = await t.app.inject({ method: 'GET', url: `/webhooks/plivo?${query}`, headers });
    expect(res.statusCode).toBe(200);
    await t.drain();
    expect(await check(t, '+14155550124')).toMatchObject({
      suppressed: [{ reason: 'invalid_number' }],
    });
  });

  it('refuses a tampered body with the uniform 401', async () => {
    const params = Object.fromEntries([...new URLSearchParams(BODY)].map(([k, v]) => [k, [v]]));
    const headers = plivoV3Headers(plivoV3Base('POST', `${PUBLIC}/webhooks/plivo`, params), '1003');
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/plivo',
      headers: { ...FORM, ...headers },
      payload: BODY.replace('14155550123', '14155550125'),
    });
    expectUnauthorized(res);
  });

  it('lifts its own opt-out on an inbound START', async () => {
    clock.advance(60_000);
    const res = await post(
      t,
      'From=14155550123&To=14155550100&Type=sms&Text=START&MessageUUID=in-start-1',
      '1004',
    );
    expect(res.statusCode).toBe(200);
    await t.drain();
    expect(await check(t, '+14155550123')).toMatchObject({ allowed: ['+14155550123'] });
  });
});
