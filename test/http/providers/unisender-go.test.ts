import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUnisenderBody } from '../../../src/providers/unisender-go/unisender-go-signature.js';
import { buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import {
  countEvents,
  eventsFor,
  expectUnauthorized,
  suppressionOf,
} from '../../helpers/provider-http.js';

const KAT_KEY = '6mjstx9gwi7qj8eni6m77hfiiw6aifmss154y4ze';
const KAT_BODY = readFileSync(
  new URL('../../fixtures/providers/unisender-go/tracking-clicked.raw', import.meta.url),
  'utf8',
);
const KEY = 'unisender-api-key-0123456789abcdef';
const batch = (key: string, events: unknown[]) =>
  signUnisenderBody(
    JSON.stringify({ auth: key, events_by_user: [{ user_id: 7, project_id: 'p', events }] }),
    key,
  );
const status = (email: string, s: string, info: Record<string, unknown> = {}) => ({
  event_name: 'transactional_email_status',
  event_data: {
    job_id: 'j1',
    email,
    status: s,
    event_time: '2026-01-01 10:00:00',
    delivery_info: info,
  },
});

describe.each(testDialects())('POST /webhooks/unisender-go on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock: new FixedClock(Date.parse('2026-01-02T00:00:00Z')),
      env: {
        BOUNCER_DROPPED_SUPPRESSES: 'true',
        BOUNCER_UNISENDER_GO_API_KEYS: `${KEY},${KAT_KEY}`,
      },
    });
  });
  afterAll(async () => t.close());

  const post = (body: string, url = '/webhooks/unisender-go') =>
    t.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { 'content-type': 'application/json' },
    });

  it('applies a signed batch once, however often it arrives', async () => {
    const body = batch(KEY, [
      status('gone@example.com', 'hard_bounced', {
        delivery_status: 'err_user_unknown',
        destination_response: '550 5.1.1 unknown user',
      }),
      status('spam@example.com', 'spam'),
      status('listed@example.com', 'hard_bounced', { delivery_status: 'err_unsubscribed' }),
      status('full@example.com', 'soft_bounced', { delivery_status: 'err_mailbox_full' }),
    ]);
    for (let i = 0; i < 2; i++) {
      const res = await post(body);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'accepted', events: 4 });
    }
    await t.drain();
    expect((await suppressionOf(t, 'gone@example.com')).entries).toMatchObject([
      { reason: 'hard_bounce', source: 'unisender-go' },
    ]);
    expect((await suppressionOf(t, 'spam@example.com')).entries).toMatchObject([
      { reason: 'spam_complaint' },
    ]);
    expect((await suppressionOf(t, 'listed@example.com')).entries).toMatchObject([
      { reason: 'unsubscribe' },
    ]);
    expect(await eventsFor(t, 'full@example.com')).toMatchObject([{ type: 'deferred' }]);
    expect((await suppressionOf(t, 'full@example.com')).suppressed).toBe(false);
    expect(await countEvents(t, 'unisender-go', 'gone@example.com')).toBe(1);
  });

  it('takes the real signed capture as it was sent', async () => {
    expect((await post(KAT_BODY)).statusCode).toBe(200);
    await t.drain();
    expect(await eventsFor(t, 'unisendergo@anymail.dev')).toMatchObject([{ type: 'click' }]);
  });

  it('answers the set-up GET with 200 and refuses forged batches with the uniform 401', async () => {
    const probe = await t.app.inject({ method: 'GET', url: '/webhooks/unisender-go' });
    expect(probe.statusCode).toBe(200);
    expect(probe.json()).toMatchObject({ status: 'ignored' });
    const forged = batch('guessed-key-0123456789', [status('victim@example.com', 'spam')]);
    expectUnauthorized(await post(forged));
    expectUnauthorized(await post(JSON.stringify(JSON.parse(KAT_BODY))));
    await t.drain();
    expect((await suppressionOf(t, 'victim@example.com')).suppressed).toBe(false);
  });
});
