import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import { expectUnauthorized, suppressionOf } from '../../helpers/provider-http.js';
import { smsFixture } from '../../helpers/sms-signers.js';

const TOKEN = 'infobip-url-token-0123456789';

async function check(t: TestApp, number: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/check',
    headers: auth(),
    payload: { recipients: [number] },
  });
  return res.json<{ allowed: string[]; suppressed: Array<{ reason: string }> }>();
}

describe.each(testDialects())('/webhooks/infobip on %s', (dialect) => {
  let t: TestApp;
  const post = (body: string, token = TOKEN) =>
    t.app.inject({
      method: 'POST',
      url: `/webhooks/infobip/${token}`,
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock: new FixedClock(Date.UTC(2026, 0, 5)),
      env: { BOUNCER_INFOBIP_URL_TOKEN: TOKEN, BOUNCER_INFOBIP_ALLOWED_IPS: '127.0.0.1/32' },
    });
  });
  afterAll(async () => t.close());

  it('accepts the §13.6 sample and records an unknown subscriber as invalid', async () => {
    expect((await post(smsFixture('infobip', 'delivery-report-delivered.json'))).statusCode).toBe(
      200,
    );
    const failed = JSON.stringify({
      results: [
        {
          messageId: 'x1',
          to: '41793026740',
          status: { id: 9, groupId: 2, groupName: 'UNDELIVERABLE' },
          error: { id: 1, groupId: 1, name: 'EC_UNKNOWN_SUBSCRIBER', permanent: true },
        },
      ],
    });
    expect((await post(failed)).statusCode).toBe(200);
    await t.drain();
    expect(await check(t, '+41793026740')).toMatchObject({
      suppressed: [{ reason: 'invalid_number' }],
    });
  });

  it('turns an inbound STOP into an opt-out, and START at Infobip lifts it', async () => {
    const mo = (text: string, id: string) =>
      JSON.stringify({
        results: [{ messageId: id, from: '41793026741', to: '41790000000', text }],
      });
    await post(mo('STOP', 'mo-1'));
    await t.drain();
    expect(await suppressionOf(t, '+41793026741')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'sms_opt_out', source: 'infobip' }],
    });
    await post(mo('START', 'mo-2'));
    await t.drain();
    expect(await check(t, '+41793026741')).toMatchObject({ allowed: ['+41793026741'] });
  });

  it('refuses a wrong token with the uniform 401', async () => {
    expectUnauthorized(
      await post(smsFixture('infobip', 'delivery-report-delivered.json'), 'wrong-token-0123456789'),
    );
  });
});
