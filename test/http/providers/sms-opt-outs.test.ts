import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plivoV3Base } from '../../../src/providers/plivo/plivo-signature.js';
import { auth, buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import { eventsFor, suppressionOf } from '../../helpers/provider-http.js';
import {
  form,
  PLIVO_TOKEN,
  plivoV3Headers,
  sinchHeaders,
  telnyxHeaders,
  TELNYX_PUBLIC_KEY_B64,
  vonageSigned,
  VONAGE_SECRET,
} from '../../helpers/sms-signers.js';

const PUBLIC = 'https://hooks.example.com';
const SINCH_SECRET = 'SMSWebhooksSecret';
const NUMBER = '+14155550177';
const ENV = {
  BOUNCER_PUBLIC_URL: PUBLIC,
  BOUNCER_VONAGE_SIGNATURE_SECRET: VONAGE_SECRET,
  BOUNCER_PLIVO_AUTH_TOKEN: PLIVO_TOKEN,
  BOUNCER_TELNYX_PUBLIC_KEY: TELNYX_PUBLIC_KEY_B64,
  BOUNCER_SINCH_WEBHOOK_SECRET: SINCH_SECRET,
};
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe.each(testDialects())('SMS opt-outs across providers on %s', (dialect) => {
  const clock = new FixedClock(Date.UTC(2026, 0, 5, 12));
  let t: TestApp;
  const nowS = () => Math.floor(clock.now() / 1_000);
  const vonageInbound = (text: string, id: string) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/vonage',
      headers: FORM,
      payload: form(
        vonageSigned(
          { msisdn: NUMBER.slice(1), to: '14155550100', messageId: id, text, type: 'text' },
          nowS(),
        ),
      ),
    });
  const plivoInbound = (text: string, id: string) => {
    const body = form({
      From: NUMBER.slice(1),
      To: '14155550100',
      Type: 'sms',
      Text: text,
      MessageUUID: id,
    });
    const params = Object.fromEntries([...new URLSearchParams(body)].map(([k, v]) => [k, [v]]));
    return t.app.inject({
      method: 'POST',
      url: '/webhooks/plivo',
      headers: {
        ...FORM,
        ...plivoV3Headers(plivoV3Base('POST', `${PUBLIC}/webhooks/plivo`, params), id),
      },
      payload: body,
    });
  };
  const telnyxInbound = (text: string, id: string) => {
    const body = JSON.stringify({
      data: {
        event_type: 'message.received',
        id,
        payload: {
          id: `m-${id}`,
          type: 'SMS',
          text,
          from: { phone_number: NUMBER },
          to: [{ phone_number: '+14155550100' }],
        },
      },
    });
    return t.app.inject({
      method: 'POST',
      url: '/webhooks/telnyx',
      headers: telnyxHeaders(body, nowS()),
      payload: body,
    });
  };
  const sinchInbound = (body: string, id: string) => {
    const raw = JSON.stringify({ type: 'mo_text', id, from: NUMBER.slice(1), to: '12345', body });
    return t.app.inject({
      method: 'POST',
      url: '/webhooks/sinch',
      headers: sinchHeaders(raw, nowS(), SINCH_SECRET),
      payload: raw,
    });
  };
  const allowed = async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/check',
      headers: auth(),
      payload: { recipients: [NUMBER] },
    });
    return res.json<{ allowed: string[] }>().allowed.includes(NUMBER);
  };
  const step = async (res: Promise<{ statusCode: number }>) => {
    expect((await res).statusCode).toBe(200);
    clock.advance(1_000);
    await t.drain();
  };
  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock, env: ENV });
  });
  afterAll(async () => t.close());

  it('a START at another provider leaves the opt-out in force; a START at the same one lifts it', async () => {
    await step(vonageInbound('STOP', '0D00000000000001'));
    expect(await allowed()).toBe(false);
    await step(plivoInbound('START', 'p-start-1'));
    await step(telnyxInbound('UNSTOP', 't-start-1'));
    expect(await suppressionOf(t, NUMBER)).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'sms_opt_out', source: 'vonage' }],
    });
    expect(await allowed()).toBe(false);
    await step(vonageInbound('START', '0D00000000000002'));
    expect(await allowed()).toBe(true);
  });

  it('the latest provider to record an opt-out is the one whose START lifts it', async () => {
    await step(telnyxInbound('STOP', 't-stop-2'));
    await step(sinchInbound('STOP', 's-stop-2'));
    expect(await suppressionOf(t, NUMBER)).toMatchObject({ entries: [{ source: 'sinch' }] });
    await step(telnyxInbound('START', 't-start-2'));
    expect(await allowed()).toBe(false);
    await step(sinchInbound('START', 's-start-2'));
    expect(await allowed()).toBe(true);
    const types = (await eventsFor(t, NUMBER)).map((e) => `${e.provider}:${e.type}`);
    expect(types).toEqual([
      'vonage:sms_opt_out',
      'plivo:sms_opt_in',
      'telnyx:sms_opt_in',
      'vonage:sms_opt_in',
      'telnyx:sms_opt_out',
      'sinch:sms_opt_out',
      'telnyx:sms_opt_in',
      'sinch:sms_opt_in',
    ]);
  });
});
