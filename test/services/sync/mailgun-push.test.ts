import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../../helpers/app.js';
import { startMailgunServer } from '../../helpers/sync-servers/mailgun.js';

const MG_KEY = 'key-local-mailgun';

describe.each(testDialects())('push to Mailgun’s suppression lists on %s', (dialect) => {
  let t: TestApp;
  let mg: Awaited<ReturnType<typeof startMailgunServer>>;
  let offset = 0;
  beforeAll(async () => {
    mg = await startMailgunServer(MG_KEY);
    t = await buildTestApp(dialect, {
      env: {
        BOUNCER_SYNC_MAILGUN_API_KEY: MG_KEY,
        BOUNCER_SYNC_MAILGUN_DOMAINS: 'mg.example.com,news.example.com',
        BOUNCER_SYNC_MAILGUN_BASE_URL: mg.url,
        BOUNCER_OUTBOUND_RETRY_BASE_MS: '1000',
      },
      clock: { now: () => Date.now() + offset },
    });
    await t.services.outbound.syncConfigSubscriptions();
  });
  afterAll(async () => {
    await t.close();
    await mg.close();
  });
  const inject = (method: 'POST' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url, payload: payload as object | undefined, headers: auth() });
  const send = async () => {
    for (;;) {
      const r = await t.services.outbound.deliverDue();
      if (r.tried === 0 || r.delivered === 0) return;
    }
  };

  it('adds each suppression to the fitting list of every domain (local server implementing the documented API)', async () => {
    await inject('POST', '/v1/suppressions', {
      address: 'u@example.com',
      note: 'n',
      reason: 'unsubscribe',
    });
    await inject('POST', '/v1/suppressions', {
      address: 'c@example.com',
      note: 'n',
      reason: 'spam_complaint',
    });
    await inject('POST', '/v1/suppressions', {
      address: 'b@example.com',
      note: 'n',
      reason: 'hard_bounce',
    });
    await send();
    for (const d of ['mg.example.com', 'news.example.com']) {
      const l = mg.lists.get(d)!;
      expect([...l.unsubscribes]).toEqual(['u@example.com']);
      expect([...l.complaints]).toEqual(['c@example.com']);
      expect([...l.bounces]).toEqual(['b@example.com']);
    }
  });

  it('removes a lifted address from every list, after waiting out a 429 and a 5xx', async () => {
    mg.failNext({ status: 429, headers: { 'retry-after': '30' } });
    mg.failNext({ status: 502 });
    await inject('DELETE', '/v1/suppressions/b@example.com?note=lifted');
    await send();
    expect(mg.lists.get('mg.example.com')!.bounces.has('b@example.com')).toBe(true);
    for (let i = 0; i < 3; i++) {
      offset += 60_000;
      await send();
    }
    for (const d of ['mg.example.com', 'news.example.com'])
      expect(mg.lists.get(d)!.bounces.has('b@example.com')).toBe(false);
  });
});
