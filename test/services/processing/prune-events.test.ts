import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../../helpers/app.js';

describe.each(testDialects())('event retention (BOUNCER_EVENT_RETENTION_DAYS) on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, { env: { BOUNCER_EVENT_RETENTION_DAYS: '90' } });
  });
  afterAll(async () => t.close());

  it('prunes events older than the retention and keeps the suppressions they made', async () => {
    const bounce = (email: string, createdAt: string) =>
      t.app.inject({
        method: 'POST',
        url: '/webhooks/bounce',
        headers: auth(),
        payload: { email, source: 'mta', type: 'hard', created_at: createdAt },
      });
    const old = new Date(Date.now() - 200 * 86_400_000).toISOString();
    await bounce('old@example.com', old);
    await bounce('new@example.com', new Date(Date.now() - 86_400_000).toISOString());
    await t.drain();
    expect(t.config.worker.eventRetentionDays).toBe(90);
    expect(await t.services.processor.pruneEvents(t.config.worker.eventRetentionDays)).toBe(1);
    const events = (address: string) =>
      t.app.inject({ method: 'GET', url: `/v1/events?address=${address}`, headers: auth() });
    expect((await events('old@example.com')).json()).toMatchObject({ events: [] });
    expect((await events('new@example.com')).json<{ events: unknown[] }>().events).toHaveLength(1);
    const status = await t.app.inject({
      method: 'GET',
      url: '/v1/suppressions/old@example.com',
      headers: auth(),
    });
    expect(status.json()).toMatchObject({ suppressed: true, entries: [{ reason: 'hard_bounce' }] });
  });
});
