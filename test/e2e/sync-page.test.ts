import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_KEY, auth, buildTestApp, type TestApp } from '../helpers/app.js';
import { buildWeb } from '../../scripts/build-web.js';
import { launchChromium } from './browser.js';
import { skipLeg } from '../helpers/legs.js';
import { startReceiver } from '../helpers/receiver.js';
import { startSendGridServer } from '../helpers/sync-servers/sendgrid.js';
import { startSesServer } from '../helpers/sync-servers/ses.js';
import { deliverAllDue } from '../helpers/outbound.js';

const SG_KEY = 'SG.local-dashboard-key';
const AWS = { accessKeyId: 'AKIDDASHBOARD', secretAccessKey: 'dash/secret', region: 'us-east-1' };
const WHSEC = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

describe.skipIf(skipLeg('chromium'))('dashboard sync page in headless Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;
  let webDir: string;
  let sg: Awaited<ReturnType<typeof startSendGridServer>>;
  let ses: Awaited<ReturnType<typeof startSesServer>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let offset = 0;

  const row = (provider: string) => page.locator(`#sync-providers tr[data-provider=${provider}]`);
  const signIn = async () => {
    await page.goto(`${base}/`);
    await page.fill('#api-key', ADMIN_KEY);
    await page.click('button[type=submit]');
    await page.waitForSelector('header nav');
  };
  /** A fresh load of the page (a same-hash goto would keep the old render). */
  const openSync = async () => {
    await page.goto(`${base}/#/sync`);
    await page.reload();
    await page.waitForSelector('#sync-providers tbody tr');
  };
  const send = () => deliverAllDue(t);

  beforeAll(async () => {
    sg = await startSendGridServer(SG_KEY);
    ses = await startSesServer(AWS);
    receiver = await startReceiver();
    webDir = await buildWeb({ minify: false, outDir: mkdtempSync(join(tmpdir(), 'bouncer-web-')) });
    t = await buildTestApp('sqlite', {
      app: { webRoot: webDir },
      clock: { now: () => Date.now() + offset },
      env: {
        BOUNCER_SYNC_SENDGRID_API_KEY: SG_KEY,
        BOUNCER_SYNC_SENDGRID_BASE_URL: sg.url,
        BOUNCER_SYNC_SES_ACCESS_KEY_ID: AWS.accessKeyId,
        BOUNCER_SYNC_SES_SECRET_ACCESS_KEY: AWS.secretAccessKey,
        BOUNCER_SYNC_SES_REGION: AWS.region,
        BOUNCER_SYNC_SES_BASE_URL: ses.url,
        BOUNCER_OUTBOUND_WEBHOOKS: JSON.stringify([{ url: `${receiver.url}/hook`, secret: WHSEC }]),
        BOUNCER_OUTBOUND_ALLOW_PRIVATE: 'true',
        BOUNCER_OUTBOUND_GIVE_UP_HOURS: '24',
      },
    });
    await t.services.outbound.syncConfigSubscriptions();
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await Promise.all([sg?.close(), ses?.close(), receiver?.close()]);
    rmSync(webDir, { recursive: true, force: true });
  });

  it('shows each provider’s push backlog, its last error and the subscriber’s failures (local servers implementing the documented SendGrid and SES APIs)', async () => {
    // SES is down and the subscriber answers 500: both keep the change, SendGrid gets it.
    ses.failNext({ status: 503 }, 1_000);
    receiver.failNext(500, 1_000);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/suppressions',
      headers: auth(),
      payload: { address: 'sync-page@example.com', note: 'dashboard test' },
    });
    expect(res.statusCode).toBe(201);
    await send();
    expect([...sg.global]).toEqual(['sync-page@example.com']);

    await openSync();
    expect(await row('sendgrid').innerText()).toMatch(/up to date[\s\S]*last delivered/);
    const sesRow = (await row('ses').innerText()) ?? '';
    expect(sesRow).toContain('1 waiting');
    expect(sesRow).toMatch(/push: SES .*HTTP 503/);
    expect(sesRow).toContain('next try');
    expect(await row('mailgun').innerText()).toContain('not configured');
    const sub = (await page.locator('#subscriptions').innerText()) ?? '';
    expect(sub).toContain(`${receiver.url}/hook`);
    expect(sub).toContain('1 waiting');
    expect(sub).toMatch(/HTTP 500/);
  });

  it('pulls a provider’s list on “Pull now” and shows what it read', async () => {
    for (let i = 0; i < 3; i++) sg.global.add(`console${i}@example.com`);
    await openSync();
    await row('sendgrid').getByRole('button', { name: 'Pull now' }).click();
    await page.waitForSelector('p.notice');
    // The pushed address comes back in the pull and is recognised: 4 read, 3 new.
    expect(await page.textContent('p.notice')).toMatch(
      /^SendGrid: read 4 entries in \d+ pages; 3 new, 1 already known\.$/,
    );
    await page.waitForFunction(() =>
      document.querySelector('tr[data-provider=sendgrid]')?.textContent?.includes('4 read, 3 new'),
    );
    expect(await row('sendgrid').innerText()).toMatch(/last \S+/);
    const imported = await t.app.inject({
      method: 'GET',
      url: '/v1/suppressions/console1%40example.com',
      headers: auth(),
    });
    expect(imported.json()).toMatchObject({ entries: [{ source: 'sync:sendgrid' }] });
  });

  it('queues a provider’s dead pushes again on “Replay dead”', async () => {
    offset = 25 * 3_600_000;
    await send();
    await signIn(); // a day later: the session has expired
    // The manual suppression and the three entries pulled from SendGrid (pushed on to SES).
    await openSync();
    await page.waitForFunction(() =>
      document.querySelector('tr[data-provider=ses]')?.textContent?.includes('4 dead'),
    );
    await row('ses').getByRole('button', { name: 'Replay dead' }).click();
    await page.waitForSelector('p.notice');
    expect(await page.textContent('p.notice')).toContain(
      'Amazon SES: queued 4 dead deliveries again.',
    );
    const status = await t.app.inject({ method: 'GET', url: '/v1/sync', headers: auth() });
    const sesState = status
      .json<{ providers: Array<{ provider: string; push: { pending: number } }> }>()
      .providers.find((p) => p.provider === 'ses')!;
    expect(sesState.push).toMatchObject({ pending: 4, dead: 0 });
  });
});
