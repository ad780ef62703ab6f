import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../../helpers/app.js';
import { startSendGridServer } from '../../helpers/sync-servers/sendgrid.js';
import { startSesServer } from '../../helpers/sync-servers/ses.js';
import { deliverAllDue } from '../../helpers/outbound.js';

const SG_KEY = 'SG.local-test-key';
const AWS = {
  accessKeyId: 'AKIDLOCALPULL',
  secretAccessKey: 'local/pull/key',
  region: 'us-east-1',
};

describe.each(testDialects())('pull from providers’ suppression lists on %s', (dialect) => {
  let t: TestApp;
  let sg: Awaited<ReturnType<typeof startSendGridServer>>;
  let ses: Awaited<ReturnType<typeof startSesServer>>;
  beforeAll(async () => {
    sg = await startSendGridServer(SG_KEY);
    ses = await startSesServer(AWS);
    t = await buildTestApp(dialect, {
      env: {
        BOUNCER_SYNC_SENDGRID_API_KEY: SG_KEY,
        BOUNCER_SYNC_SENDGRID_BASE_URL: sg.url,
        BOUNCER_SYNC_SES_ACCESS_KEY_ID: AWS.accessKeyId,
        BOUNCER_SYNC_SES_SECRET_ACCESS_KEY: AWS.secretAccessKey,
        BOUNCER_SYNC_SES_REGION: AWS.region,
        BOUNCER_SYNC_SES_BASE_URL: ses.url,
      },
    });
    await t.services.outbound.syncConfigSubscriptions();
  });
  afterAll(async () => {
    await t.close();
    await sg.close();
    await ses.close();
  });
  const status = async (address: string) =>
    (
      await t.app.inject({
        method: 'GET',
        url: `/v1/suppressions/${encodeURIComponent(address)}`,
        headers: auth(),
      })
    ).json();
  const send = () => deliverAllDue(t, 500);

  it('imports the SendGrid lists page by page from a local server implementing the documented API, resuming after a failed page', async () => {
    for (let i = 0; i < 1_200; i++) sg.global.add(`unsub${i}@example.com`);
    for (let i = 0; i < 300; i++) sg.bounces.add(`bounce${i}@example.com`);
    // The second page fails: the pass stops with its cursor saved.
    sg.failNext({ status: 503 }, 1, 1);
    sg.requests.length = 0;
    await expect(t.services.sync.pull('sendgrid')).rejects.toThrow(/HTTP 503/);
    const started = performance.now();
    const report = await t.services.sync.pull('sendgrid');
    const seconds = (performance.now() - started) / 1_000;
    console.log(
      `[pull] ${dialect}: ${report.seen} SendGrid entries in ${seconds.toFixed(2)} s (${Math.round(report.seen / seconds)}/s)`,
    );
    // Resumed at the failed page: 1 500 entries, the first 500 read once; then the (empty) spam
    // reports.
    expect(
      sg.requests
        .filter((r) => r.method === 'GET')
        .map((r) => new URL(r.path, 'http://x').searchParams.get('offset')),
    ).toEqual(['0', '500', '500', '1000', '0', '0']);
    expect(report).toMatchObject({ seen: 1_000, imported: 1_000 });
    expect(await status('unsub7@example.com')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'unsubscribe', source: 'sync:sendgrid' }],
    });
    expect((await status('bounce9@example.com')).entries[0]).toMatchObject({
      reason: 'hard_bounce',
    });
  });

  it('sends what came from SendGrid on to SES but never back, and a second pull changes nothing', async () => {
    sg.requests.length = 0;
    await send();
    expect(sg.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(ses.list.size).toBe(1_500);
    expect(ses.badSignatures).toBe(0);
    // SES's list now holds the same entries: pulling it recognises them (nothing new, no push).
    const fromSes = await t.services.sync.pull('ses');
    expect(fromSes).toMatchObject({ seen: 1_500, imported: 0, skipped: 1_500 });
    const again = await t.services.sync.pull('sendgrid');
    expect(again.imported).toBe(0);
    await send();
    expect(sg.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('does not pull back an address whose lift is still on its way to the provider', async () => {
    ses.failNext({ status: 503 });
    await t.app.inject({
      method: 'DELETE',
      url: '/v1/suppressions/unsub3@example.com?note=lifted',
      headers: auth(),
    });
    await send();
    // SendGrid got the lift; SES is down, so its copy is still there.
    expect(sg.global.has('unsub3@example.com')).toBe(false);
    expect(ses.list.has('unsub3@example.com')).toBe(true);
    const report = await t.services.sync.pull('ses');
    expect(report.skipped).toBe(1_500);
    expect((await status('unsub3@example.com')).suppressed).toBe(false);
    const s = await t.services.sync.status();
    expect(s.providers.find((p) => p.provider === 'ses')).toMatchObject({
      configured: true,
      push: { pending: 1 },
    });
  });

  it('answers the sync state on GET /v1/sync and pulls on POST /v1/sync/:provider/run', async () => {
    const state = await t.app.inject({ method: 'GET', url: '/v1/sync', headers: auth() });
    expect(state.statusCode).toBe(200);
    expect(
      state
        .json()
        .providers.map((p: { provider: string; configured: boolean }) => [
          p.provider,
          p.configured,
        ]),
    ).toEqual([
      ['sendgrid', true],
      ['ses', true],
      ['mailgun', false],
      ['postmark', false],
      ['brevo', false],
    ]);
    const run = await t.app.inject({
      method: 'POST',
      url: '/v1/sync/sendgrid/run',
      headers: auth(),
    });
    expect(run.statusCode).toBe(200);
    expect(run.json()).toMatchObject({ provider: 'sendgrid', imported: 0 });
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/sync/mailgun/run',
      headers: auth(),
    });
    expect(bad.statusCode).toBe(400);
  });
});
