import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import { expectUnauthorized, suppressionOf } from '../../helpers/provider-http.js';
import { sinchHeaders, smsFixture } from '../../helpers/sms-signers.js';

const SECRET = 'SMSWebhooksSecret';
const TS = 1736760161;

async function check(t: TestApp, number: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/check',
    headers: auth(),
    payload: { recipients: [number] },
  });
  return res.json<{ allowed: string[]; suppressed: Array<{ reason: string }> }>();
}

describe.each(testDialects())('/webhooks/sinch on %s', (dialect) => {
  const clock = new FixedClock(TS * 1_000 + 3_000);
  let t: TestApp;
  const send = (
    body: string,
    headers = sinchHeaders(body, Math.floor(clock.now() / 1_000), SECRET),
  ) => t.app.inject({ method: 'POST', url: '/webhooks/sinch', headers, payload: body });
  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock, env: { BOUNCER_SINCH_WEBHOOK_SECRET: SECRET } });
  });
  afterAll(async () => t.close());

  it('accepts the KAT #13 report with its official signature', async () => {
    const body = smsFixture('sinch', 'recipient-delivery-report.json');
    const res = await send(body, sinchHeaders(body, TS, SECRET, '01JHFFHWYY7HSS4FWTMDTQEK8V'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'accepted' });
  });

  it('turns an inbound STOP into an opt-out /v1/check refuses, and START lifts it', async () => {
    const mo = (body: string, id: string) =>
      JSON.stringify({ type: 'mo_text', id, from: '33662162470', to: '12345', body });
    expect((await send(mo('STOP', 'mo-1'))).statusCode).toBe(200);
    await t.drain();
    expect(await suppressionOf(t, '+33662162470')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'sms_opt_out', source: 'sinch' }],
    });
    expect(await check(t, '+33662162470')).toMatchObject({ allowed: [] });
    clock.advance(1_000);
    expect((await send(mo('START', 'mo-2'))).statusCode).toBe(200);
    await t.drain();
    expect(await check(t, '+33662162470')).toMatchObject({ allowed: ['+33662162470'] });
  });

  it('refuses a forged callback with the uniform 401 (Sinch drops 4xx other than 429)', async () => {
    const body = smsFixture('sinch', 'recipient-delivery-report.json');
    expectUnauthorized(await send(body, sinchHeaders(body, TS, 'not_the_secret_01234')));
  });
});
