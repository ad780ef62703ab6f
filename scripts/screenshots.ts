import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ADMIN_KEY, buildTestApp, FixedClock } from '../test/helpers/app.js';
import { launchChromium } from '../test/e2e/browser.js';
import { BOUNCED, seedDashboard } from '../test/e2e/seed.js';
import { buildWeb } from './build-web.js';
import { deliverAllDue } from '../test/helpers/outbound.js';
import { startReceiver } from '../test/helpers/receiver.js';
import { startPostmarkServer } from '../test/helpers/sync-servers/postmark.js';
import { startSendGridServer } from '../test/helpers/sync-servers/sendgrid.js';
import { startSesServer } from '../test/helpers/sync-servers/ses.js';

const SG_KEY = 'SG.screenshots';
const PM_TOKEN = 'postmark-screenshots';
const AWS = { accessKeyId: 'AKIDSCREENSHOTS', secretAccessKey: 'screenshots', region: 'eu-west-1' };

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

/**
 * `npm run screenshots`: build the dashboard, start Bouncer on a temporary SQLite database with
 * seeded data, sign in with headless Chromium and save one PNG per page to docs/screenshots/.
 */
async function main(): Promise<void> {
  await buildWeb();
  mkdirSync(OUT, { recursive: true });
  // Local servers implementing the providers' documented APIs, for the Sync page: SendGrid and
  // Postmark take the pushes, SES is down, and the change-event subscriber answers 500.
  const sg = await startSendGridServer(SG_KEY);
  const pm = await startPostmarkServer(PM_TOKEN);
  const ses = await startSesServer(AWS);
  const rx = await startReceiver();
  ses.failNext({ status: 503 }, 10_000);
  rx.failNext(500, 10_000);
  for (let i = 0; i < 40; i++) sg.global.add(`console-${i}@example.org`);
  const t = await buildTestApp('sqlite', {
    clock: new FixedClock(Date.now()),
    env: {
      BOUNCER_ALERTS: JSON.stringify({ bounceRate: { windowMinutes: 1_440 * 14 } }),
      BOUNCER_SYNC_SENDGRID_API_KEY: SG_KEY,
      BOUNCER_SYNC_SENDGRID_BASE_URL: sg.url,
      BOUNCER_SYNC_POSTMARK_SERVER_TOKEN: PM_TOKEN,
      BOUNCER_SYNC_POSTMARK_BASE_URL: pm.url,
      BOUNCER_SYNC_SES_ACCESS_KEY_ID: AWS.accessKeyId,
      BOUNCER_SYNC_SES_SECRET_ACCESS_KEY: AWS.secretAccessKey,
      BOUNCER_SYNC_SES_REGION: AWS.region,
      BOUNCER_SYNC_SES_BASE_URL: ses.url,
      BOUNCER_OUTBOUND_WEBHOOKS: JSON.stringify([
        {
          url: `${rx.url}/bouncer-events`,
          secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
        },
      ]),
      BOUNCER_OUTBOUND_ALLOW_PRIVATE: 'true',
    },
  });
  await t.services.outbound.syncConfigSubscriptions();
  await seedDashboard(t);
  await deliverAllDue(t, 1_000);
  await t.services.sync.pull('sendgrid');
  await t.services.sync.pull('postmark');
  await t.services.alerts.evaluate();
  const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({
      viewport: { width: 1360, height: 900 },
      deviceScaleFactor: 1,
    });
    await page.goto(`${base}/`);
    await page.screenshot({ path: `${OUT}sign-in.png` });
    await page.fill('#api-key', ADMIN_KEY);
    await page.click('button[type=submit]');
    await page.waitForSelector('#chart-complaint canvas');
    await page.screenshot({ path: `${OUT}overview.png`, fullPage: true });
    await page.goto(`${base}/#/address?q=${encodeURIComponent(BOUNCED)}`);
    await page.waitForSelector('#events button');
    await page.click('#events button:has-text("payload")');
    await page.waitForSelector('pre.raw');
    await page.screenshot({ path: `${OUT}address.png`, fullPage: true });
    await page.goto(`${base}/#/suppressions`);
    await page.waitForSelector('#suppressions tbody tr');
    await page.screenshot({ path: `${OUT}suppressions.png`, fullPage: true });
    await page.goto(`${base}/#/deliveries`);
    await page.waitForSelector('#dead');
    await page.screenshot({ path: `${OUT}deliveries.png`, fullPage: true });
    await page.goto(`${base}/#/sync`);
    await page.waitForSelector('#subscriptions');
    await page.screenshot({ path: `${OUT}sync.png`, fullPage: true });
    process.stdout.write(`screenshots saved to ${OUT}\n`);
  } finally {
    await browser.close();
    await t.close();
    await Promise.all([sg.close(), pm.close(), ses.close(), rx.close()]);
  }
}

await main();
