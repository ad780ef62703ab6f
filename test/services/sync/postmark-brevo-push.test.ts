import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../../helpers/app.js';
import { startBrevoServer } from '../../helpers/sync-servers/brevo.js';

describe.each(testDialects())('push to Brevo on %s', (dialect) => {
  let t: TestApp;
  let brevo: Awaited<ReturnType<typeof startBrevoServer>>;
  let offset = 0;
  beforeAll(async () => {
    brevo = await startBrevoServer('brevo-key');
    t = await buildTestApp(dialect, {
      env: {
        BOUNCER_SYNC_BREVO_API_KEY: 'brevo-key',
        BOUNCER_SYNC_BREVO_BASE_URL: brevo.url,
        BOUNCER_OUTBOUND_RETRY_BASE_MS: '1000',
      },
      clock: { now: () => Date.now() + offset },
    });
    await t.services.outbound.syncConfigSubscriptions();
  });
  afterAll(async () => {
    await t.close();
    await brevo.close();
  });
  const inject = (method: 'POST' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url, payload: payload as object | undefined, headers: auth() });
  const send = async () => {
    for (;;) {
      const r = await t.services.outbound.deliverDue();
      if (r.tried === 0 || r.delivered === 0) return;
    }
  };

  it('blocks the Brevo contact, then lifts it (local server implementing the documented API)', async () => {
    brevo.failNext({ status: 503 });
    await inject('POST', '/v1/suppressions', { address: 'p@example.com', note: 'n' });
    await send();
    offset += 60_000;
    await send();
    expect(brevo.contacts.get('p@example.com')).toEqual({ blocked: true });
    await inject('DELETE', '/v1/suppressions/p@example.com?note=lifted');
    await send();
    expect(brevo.contacts.get('p@example.com')).toEqual({ blocked: false });
  });
});
