import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../../helpers/app.js';
import { startBrevoServer } from '../../helpers/sync-servers/brevo.js';
import { startPostmarkServer } from '../../helpers/sync-servers/postmark.js';

describe.each(testDialects())('push to Postmark and Brevo on %s', (dialect) => {
  let t: TestApp;
  let pm: Awaited<ReturnType<typeof startPostmarkServer>>;
  let brevo: Awaited<ReturnType<typeof startBrevoServer>>;
  let offset = 0;
  beforeAll(async () => {
    pm = await startPostmarkServer('pm-token');
    brevo = await startBrevoServer('brevo-key');
    t = await buildTestApp(dialect, {
      env: {
        BOUNCER_SYNC_POSTMARK_SERVER_TOKEN: 'pm-token',
        BOUNCER_SYNC_POSTMARK_STREAMS: 'outbound,broadcast',
        BOUNCER_SYNC_POSTMARK_BASE_URL: pm.url,
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
    await pm.close();
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

  it('suppresses in every Postmark stream and blocks the Brevo contact, then lifts both (local servers implementing the documented APIs)', async () => {
    brevo.failNext({ status: 503 });
    await inject('POST', '/v1/suppressions', { address: 'p@example.com', note: 'n' });
    await send();
    offset += 60_000;
    await send();
    expect([...pm.streams.get('outbound')!]).toEqual(['p@example.com']);
    expect([...pm.streams.get('broadcast')!]).toEqual(['p@example.com']);
    expect(brevo.contacts.get('p@example.com')).toEqual({ blocked: true });
    await inject('DELETE', '/v1/suppressions/p@example.com?note=lifted');
    await send();
    expect(pm.streams.get('outbound')!.size).toBe(0);
    expect(pm.streams.get('broadcast')!.size).toBe(0);
    expect(brevo.contacts.get('p@example.com')).toEqual({ blocked: false });
  });
});
