import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import { expectUnauthorized, suppressionOf } from '../../helpers/provider-http.js';
import { hmacJwt, messageBirdDigestSignature, sha256Hex } from '../../helpers/sms-signers.js';

const PUBLIC = 'https://hooks.example.com';
const KAT10_KEY = 'PlLrKaqvZNRR5zAjm42ZT6q1SQxgbbGd';
const KAT10_TS = 1547198231;
const KAT10_QUERY =
  'id=eef0ab57a9e049be946f3821568c2b2e&mccmnc=20408&ported=1&recipient=31612345678&reference=FOO&status=delivered&statusDatetime=2019-01-11T09:17:11+00:00';
const BIRD_KEY = 'bird_signing_key_for_tests';
const ENV = {
  BOUNCER_MESSAGEBIRD_SIGNING_KEY: KAT10_KEY,
  BOUNCER_BIRD_SIGNING_KEY: BIRD_KEY,
  BOUNCER_PUBLIC_URL: PUBLIC,
};

async function check(t: TestApp, number: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/check',
    headers: auth(),
    payload: { recipients: [number] },
  });
  return res.json<{ allowed: string[]; suppressed: Array<{ reason: string }> }>();
}

describe.each(testDialects())('/webhooks/messagebird and /webhooks/bird on %s', (dialect) => {
  const clock = new FixedClock(KAT10_TS * 1_000 + 5_000);
  let t: TestApp;
  const nowS = () => Math.floor(clock.now() / 1_000);
  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock, env: ENV });
  });
  afterAll(async () => t.close());

  it('accepts the KAT #10 status report (GET, legacy signature) as a delivery', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/webhooks/messagebird?${KAT10_QUERY}`,
      headers: {
        'messagebird-signature': 'KVBdcVdz2lYMwcBLZCRITgxUfA/WkwSi+T3Wxl2HL6w=',
        'messagebird-request-timestamp': String(KAT10_TS),
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'accepted' });
  });

  it('suppresses an unknown subscriber reported with a JWT-signed GET', async () => {
    const query = KAT10_QUERY.replace(
      'status=delivered',
      'status=delivery_failed&statusErrorCode=1',
    ).replace('31612345678', '31612345600');
    const url = `/webhooks/messagebird?${query}`;
    const token = hmacJwt(KAT10_KEY, {
      iss: 'MessageBird',
      nbf: nowS(),
      exp: nowS() + 60,
      jti: 'j-1',
      url_hash: sha256Hex(PUBLIC + url),
    });
    const res = await t.app.inject({
      method: 'GET',
      url,
      headers: { 'messagebird-signature-jwt': token },
    });
    expect(res.statusCode).toBe(200);
    await t.drain();
    expect(await check(t, '+31612345600')).toMatchObject({
      suppressed: [{ reason: 'invalid_number' }],
    });
    const replayedElsewhere = await t.app.inject({
      method: 'GET',
      url: url.replace('31612345600', '31612345601'),
      headers: { 'messagebird-signature-jwt': token },
    });
    expectUnauthorized(replayedElsewhere);
  });

  it('turns a signed Bird inbound STOP into an opt-out, and a Bird START lifts it', async () => {
    const send = (text: string, id: string) => {
      const body = JSON.stringify({
        service: 'channels',
        event: 'sms.inbound',
        payload: {
          id,
          sender: { contact: { identifierValue: '+31612345602' } },
          receiver: { contacts: [{ identifierValue: '+3197010020000' }] },
          body: { type: 'text', text: { text } },
        },
      });
      const ts = nowS();
      return t.app.inject({
        method: 'POST',
        url: '/webhooks/bird',
        headers: {
          'content-type': 'application/json',
          'messagebird-request-timestamp': String(ts),
          'messagebird-signature': messageBirdDigestSignature(
            BIRD_KEY,
            `${ts}\n${PUBLIC}/webhooks/bird\n`,
            body,
          ),
        },
        payload: body,
      });
    };
    expect((await send('STOP', 'in-1')).statusCode).toBe(200);
    await t.drain();
    expect(await suppressionOf(t, '+31612345602')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'sms_opt_out', source: 'bird' }],
    });
    clock.advance(1_000);
    expect((await send('START', 'in-2')).statusCode).toBe(200);
    await t.drain();
    expect(await check(t, '+31612345602')).toMatchObject({ allowed: ['+31612345602'] });
  });
});
