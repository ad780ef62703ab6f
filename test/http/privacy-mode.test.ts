import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, testConfig, type TestApp } from '../helpers/app.js';
import { findText } from '../helpers/scan-tables.js';
import { createServices } from '../../src/services/container.js';

const PEPPER = { BOUNCER_ADDRESS_PEPPER: 'pepper-for-the-privacy-mode-tests' };
const HASHED = { ...PEPPER, BOUNCER_PRIVACY_MODE: 'hashed' };

async function seed(t: TestApp, address: string): Promise<void> {
  const post = (url: string, payload: unknown, headers = auth()) =>
    t.app.inject({ method: 'POST', url, headers, payload: payload as string });
  expect(
    (
      await post('/webhooks/bounce', {
        email: address,
        source: 'mta',
        type: 'hard',
        meta: { diagnostic: `smtp; 550 5.1.1 <${address}>: user unknown` },
      })
    ).statusCode,
  ).toBe(202);
  await t.drain();
  await post('/v1/suppressions', {
    address,
    scope: 'offers',
    reason: 'unsubscribe',
    note: 'by phone',
  });
  await post(
    '/v1/import?format=ndjson',
    `{"address":"${address}","reason":"spam_complaint","scope":"news"}\n`,
    { ...auth(), 'content-type': 'application/x-ndjson' },
  );
}

async function refused(t: TestApp, address: string, scope?: string): Promise<boolean> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/check',
    headers: auth(),
    payload: { recipients: [address], ...(scope ? { scope } : {}) },
  });
  return res.json<{ allowed: string[] }>().allowed.length === 0;
}

describe.each(testDialects())(
  'BOUNCER_PRIVACY_MODE=hashed through the real app on %s',
  (dialect) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp(dialect, { env: HASHED });
    });
    afterAll(async () => t.close());

    it('stores no address in any table, and answers checks, status and history as before', async () => {
      const address = 'hashed.mode@example.com';
      await seed(t, address);
      expect(await findText(t.services.db, address)).toEqual([]);
      expect(await refused(t, address)).toBe(true);
      expect(await refused(t, 'Hashed.Mode@Example.com', 'news')).toBe(true);
      const status = await t.app.inject({
        method: 'GET',
        url: `/v1/suppressions/${address}`,
        headers: auth(),
      });
      expect(
        status
          .json<{ entries: Array<{ reason: string }> }>()
          .entries.map((e) => e.reason)
          .sort(),
      ).toEqual(['hard_bounce', 'spam_complaint', 'unsubscribe']);
      const history = await t.app.inject({
        method: 'GET',
        url: `/v1/events?address=${address}`,
        headers: auth(),
      });
      const events = history.json<{
        address: string;
        events: Array<{ diagnostic: string | null }>;
      }>().events;
      expect(events).toHaveLength(1);
      expect(events[0]!.diagnostic).toBe('550 5.1.1 <<recipient>>: user unknown');
      const removed = await t.app.inject({
        method: 'DELETE',
        url: `/v1/suppressions/${address}?scope=offers&note=ok`,
        headers: auth(),
      });
      expect(removed.statusCode).toBe(200);
    });
  },
);

describe.each(testDialects())('bouncer privacy migrate on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, { env: PEPPER });
  });
  afterAll(async () => t.close());

  it('converts rows stored in plain mode so that no address is left and checks still refuse', async () => {
    const address = 'plain.before@example.com';
    await seed(t, address);
    expect(await findText(t.services.db, address)).not.toEqual([]);
    const hashed = createServices(
      testConfig(HASHED, t.tdb.url),
      t.services.db,
      t.clock,
      pino({ level: 'silent' }),
    );
    const report = await hashed.privacyMigration.migrate();
    expect(report.addresses).toBe(1);
    expect(report.deliveries).toBeGreaterThanOrEqual(1);
    expect(await findText(t.services.db, address)).toEqual([]);
    expect(await hashed.privacyMigration.migrate()).toEqual({ addresses: 0, deliveries: 0 });
    const check = await hashed.checker.check({ recipients: [address], scope: 'news' });
    expect(check.suppressed.map((s) => s.reason)).toEqual(['spam_complaint']);
    expect(await refused(t, address, 'news')).toBe(true);
  });
});
