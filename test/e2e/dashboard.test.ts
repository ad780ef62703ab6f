import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_KEY, buildTestApp, type TestApp } from '../helpers/app.js';
import { buildWeb } from '../../scripts/build-web.js';
import { BOUNCED, seedDashboard } from './seed.js';
import { launchChromium } from './browser.js';
import { skipLeg } from '../helpers/legs.js';

/** True when the canvas has at least one painted pixel. */
async function canvasPainted(page: Page, selector: string): Promise<boolean> {
  return page.$eval(selector, (el) => {
    const c = el as HTMLCanvasElement;
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    if (!data || c.width === 0 || c.height === 0) return false;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) return true;
    return false;
  });
}

describe.skipIf(skipLeg('chromium'))('dashboard in headless Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;
  let webDir: string;

  beforeAll(async () => {
    webDir = await buildWeb({ minify: false, outDir: mkdtempSync(join(tmpdir(), 'bouncer-web-')) });
    t = await buildTestApp('sqlite', { app: { webRoot: webDir } });
    await seedDashboard(t);
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('signs in with an API key and keeps the session in an HttpOnly, SameSite=Strict cookie', async () => {
    await page.goto(`${base}/`);
    await page.fill('#api-key', 'wrong-key-0123456789');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=That API key was not accepted.');
    await page.fill('#api-key', ADMIN_KEY);
    await page.click('button[type=submit]');
    await page.waitForSelector('header nav');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'bouncer_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
  });

  it('shows the breakdown by reason and draws the events chart with data', async () => {
    await page.goto(`${base}/#/overview`);
    await page.waitForSelector('#breakdown tbody tr');
    expect(await page.textContent('#breakdown')).toContain('Hard bounce (invalid address)');
    await page.waitForSelector('#chart-events canvas');
    expect(await canvasPainted(page, '#chart-events canvas')).toBe(true);
    await page.waitForSelector('#chart-bounce canvas');
    expect(await canvasPainted(page, '#chart-bounce canvas')).toBe(true);
    expect(
      await page.$$eval('#chart-events .u-legend .u-series', (els) => els.length),
    ).toBeGreaterThan(2);
  });

  it('finds an address, explains it with the raw provider payload, unsuppresses it and shows the audit entry', async () => {
    await page.click('header nav >> text=Address search');
    await page.fill('#address-input', BOUNCED);
    await page.press('#address-input', 'Enter');
    await page.waitForSelector('#entries');
    expect(await page.textContent('#entries')).toContain('hard_bounce');
    expect(await page.textContent('#events')).toContain('5.1.1');
    await page.click('#events button:has-text("payload")');
    await page.waitForSelector('pre.raw');
    expect(await page.textContent('pre.raw')).toContain('subscriber.bounced');

    await page.fill('#entries input[name=note]', 'customer fixed their mailbox (ticket 4711)');
    await page.click('#entries button:has-text("Unsuppress")');
    await page.waitForSelector('text=Removed the suppression');
    expect(await page.textContent('.badge')).toBe('not suppressed');
    await page.waitForSelector('#audit');
    const audit = await page.textContent('#audit');
    expect(audit).toContain('unsuppress');
    expect(audit).toContain('customer fixed their mailbox (ticket 4711)');
    const status = await t.services.suppressions.status(BOUNCED);
    expect(status.suppressed).toBe(false);
  });

  it('lists suppressions with filters and replays a dead delivery', async () => {
    await page.click('header nav >> text=Suppressions');
    await page.waitForSelector('#suppressions tbody tr');
    await page.selectOption('form.filters select[name=reason]', 'spam_complaint');
    await page.click('form.filters button[type=submit]');
    await page.waitForFunction(
      () => document.querySelectorAll('#suppressions tbody tr').length === 2,
    );
    await page.click('header nav >> text=Deliveries');
    await page.waitForSelector('#dead');
    await page.click('#dead button:has-text("Replay")');
    await page.waitForSelector('text=Queued 1 delivery');
  });
});
