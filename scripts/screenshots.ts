import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ADMIN_KEY, buildTestApp, FixedClock } from '../test/helpers/app.js';
import { launchChromium } from '../test/e2e/browser.js';
import { BOUNCED, seedDashboard } from '../test/e2e/seed.js';
import { buildWeb } from './build-web.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

/**
 * `npm run screenshots`: build the dashboard, start Bouncer on a temporary SQLite database with
 * seeded data, sign in with headless Chromium and save one PNG per page to docs/screenshots/.
 */
async function main(): Promise<void> {
  await buildWeb();
  mkdirSync(OUT, { recursive: true });
  const t = await buildTestApp('sqlite', {
    clock: new FixedClock(Date.now()),
    env: { BOUNCER_ALERTS: JSON.stringify({ bounceRate: { windowMinutes: 1_440 * 14 } }) },
  });
  await seedDashboard(t);
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
    process.stdout.write(`screenshots saved to ${OUT}\n`);
  } finally {
    await browser.close();
    await t.close();
  }
}

await main();
