import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import { countEvents, expectUnauthorized, suppressionOf } from '../../helpers/provider-http.js';

const ENVELOPE = readFileSync(
  new URL('../../fixtures/providers/ses/eventbridge-bounce.json', import.meta.url),
  'utf8',
);
const TOKEN = 'eventbridge-token-0123456789abcdef';

describe.each(testDialects())('POST /webhooks/ses/eventbridge on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock: new FixedClock(Date.parse('2026-01-02T00:00:00Z')),
      env: {
        BOUNCER_SES_EVENTBRIDGE_TOKENS: TOKEN,
        BOUNCER_SES_EVENTBRIDGE_HEADER: 'X-Bouncer-Token',
      },
    });
  });
  afterAll(async () => t.close());

  const post = (body: string, token = TOKEN) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/ses/eventbridge',
      payload: body,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Amazon/EventBridge/ApiDestinations',
        'x-bouncer-token': token,
      },
    });

  it('suppresses the documented bounce once, however often EventBridge retries it (same id)', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await post(ENVELOPE);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'accepted', events: 1 });
    }
    await t.drain();
    expect(await suppressionOf(t, 'recipient1@example.com')).toMatchObject({
      suppressed: true,
      entries: [{ scope: '*', reason: 'hard_bounce', source: 'ses', until: null }],
    });
    expect(await countEvents(t, 'ses', 'recipient1@example.com')).toBe(1);
  });

  it('maps a complaint like the SNS route does', async () => {
    const envelope = (id: string, detail: unknown) =>
      JSON.stringify({
        version: '0',
        id,
        source: 'aws.ses',
        'detail-type': 'x',
        time: '2026-01-01T00:00:00Z',
        detail,
      });
    const mail = (to: string) => ({
      timestamp: '2026-01-01T00:00:00Z',
      messageId: `m-${to}`,
      destination: [to],
    });
    await post(
      envelope('c-1', {
        eventType: 'Complaint',
        mail: mail('angry@example.com'),
        complaint: {
          complainedRecipients: [{ emailAddress: 'angry@example.com' }],
          feedbackId: 'f-1',
          timestamp: '2026-01-01T00:00:01Z',
        },
      }),
    );
    await t.drain();
    expect((await suppressionOf(t, 'angry@example.com')).entries).toMatchObject([
      { reason: 'spam_complaint', source: 'ses' },
    ]);
  });

  it('never stores the credential header with the delivery', async () => {
    const rows = await t.tdb.db.kysely
      .selectFrom('deliveries')
      .select(['headers', 'endpoint'])
      .where('endpoint', '=', 'ses-eventbridge')
      .execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.headers).not.toContain(TOKEN);
      expect(JSON.parse(r.headers)).toMatchObject({
        'user-agent': 'Amazon/EventBridge/ApiDestinations',
      });
    }
  });

  it('refuses a wrong or missing credential with the uniform 401', async () => {
    expectUnauthorized(await post(ENVELOPE, 'wrong-token-0123456789abcdef'));
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/ses/eventbridge',
      payload: ENVELOPE,
      headers: { 'content-type': 'application/json' },
    });
    expectUnauthorized(res);
  });
});
