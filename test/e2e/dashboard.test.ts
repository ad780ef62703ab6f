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

/** Everything a page says in the console or throws, and every failed request it makes. */
function watchConsole(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') seen.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => seen.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (r) => seen.push(`requestfailed: ${r.url()}`));
  page.on('response', (r) => {
    if (r.status() >= 400) seen.push(`HTTP ${r.status()}: ${new URL(r.url()).pathname}`);
  });
  return seen;
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

  it('loads every page signed out and in with a clean console (no errors, no failed requests)', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const fresh = await context.newPage();
      const seen = watchConsole(fresh);
      await fresh.goto(`${base}/`);
      await fresh.waitForSelector('#api-key');
      await fresh.fill('#api-key', ADMIN_KEY);
      await fresh.click('button[type=submit]');
      await fresh.waitForSelector('header nav');
      for (const [hash, ready] of [
        ['overview', '#chart-events canvas'],
        ['address', '#address-input'],
        ['suppressions', '#suppressions tbody tr'],
        ['deliveries', '#dead'],
      ] as const) {
        await fresh.goto(`${base}/#/${hash}`);
        await fresh.waitForSelector(ready);
      }
      await fresh.reload();
      await fresh.waitForSelector('#dead');
      // The browser asks for /favicon.ico unless the page names an icon; either way it exists.
      expect((await fresh.request.get(`${base}/favicon.ico`)).status()).toBe(200);
      expect(seen).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('sizes charts to their card, counts in whole numbers, and says when a rate has no deliveries', async () => {
    await t.services.alerts.evaluate();
    await page.goto(`${base}/#/overview`);
    await page.reload(); // the same URL is only a hash change: load the overview again
    await page.waitForSelector('#chart-bounce canvas');
    for (const id of ['#chart-events', '#chart-bounce', '#chart-complaint']) {
      const fit = await page.$eval(id, (el) => {
        const style = getComputedStyle(el);
        const inner =
          el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const plot = el.querySelector('.uplot')!.getBoundingClientRect().width;
        return { inner, plot, overflow: el.scrollWidth - el.clientWidth };
      });
      expect(fit.plot, id).toBeLessThanOrEqual(fit.inner);
      expect(fit.plot, id).toBeGreaterThan(fit.inner - 2);
      expect(fit.overflow, id).toBe(0);
    }
    const ticks = await page.$eval('#chart-events', (el) => (el as HTMLElement).dataset.yTicks);
    expect(ticks?.split(',').length).toBeGreaterThan(1);
    for (const tick of ticks!.split(',')) expect(Number.isInteger(Number(tick)), tick).toBe(true);
    // The seed leaves exactly one dead delivery: singular.
    expect(await page.textContent('section:has(> h2:text("Alerts"))')).toContain(
      '1 dead delivery awaits inspection and replay',
    );
    expect(await page.textContent('a.card[href="#/deliveries"]')).toMatch(
      /^\s*1\s*dead delivery\s*$/,
    );

    const empty = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const other = await empty.newPage();
      // The real overview, but a period without deliveries: every rate is null.
      await other.route('**/v1/dashboard/overview*', async (route) => {
        const res = await route.fetch();
        const body = (await res.json()) as { rates: Record<string, Array<number | null>> };
        for (const k of Object.keys(body.rates)) body.rates[k] = body.rates[k]!.map(() => null);
        await route.fulfill({ response: res, json: body });
      });
      await other.goto(`${base}/`);
      await other.fill('#api-key', ADMIN_KEY);
      await other.click('button[type=submit]');
      await other.waitForSelector('#chart-events canvas');
      for (const id of ['#chart-bounce', '#chart-complaint']) {
        expect(await other.textContent(id)).toBe('No deliveries in this period.');
        expect(await other.$(`${id} canvas`)).toBeNull();
      }
    } finally {
      await empty.close();
    }
  });

  it('fits a 420 px wide screen: the header wraps and no page is wider than the viewport', async () => {
    const narrow = await browser.newContext({ viewport: { width: 420, height: 800 } });
    try {
      const small = await narrow.newPage();
      await small.goto(`${base}/`);
      await small.fill('#api-key', ADMIN_KEY);
      await small.click('button[type=submit]');
      for (const [hash, ready] of [
        ['overview', '#chart-events canvas'],
        ['address', '#address-input'],
        ['suppressions', '#suppressions tbody tr'],
        ['deliveries', '#dead'],
      ] as const) {
        await small.goto(`${base}/#/${hash}`);
        await small.waitForSelector(ready);
        const width = await small.evaluate(() => document.documentElement.scrollWidth);
        expect(width, hash).toBeLessThanOrEqual(420);
      }
    } finally {
      await narrow.close();
    }
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
    // Ordered newest first by creation, and the column shown is that one.
    const headers = await page.$$eval('#suppressions thead th', (els) =>
      els.map((e) => (e.textContent ?? '').trim()),
    );
    expect(headers).toEqual(expect.arrayContaining(['Created ↓', 'First event']));
    const col = headers.indexOf('Created ↓') + 1;
    const created = await page.$$eval(`#suppressions tbody td:nth-child(${col})`, (els) =>
      els.map((e) => (e.textContent ?? '').trim()),
    );
    expect(created.length).toBe(2);
    expect([...created].sort().reverse()).toEqual(created);
    // The channel filter offers the API's channels (sms, not "phone", which it refuses).
    await page.selectOption('form.filters select[name=reason]', '');
    await page.selectOption('form.filters select[name=channel]', 'sms');
    await page.click('form.filters button[type=submit]');
    await page.waitForFunction(
      () => document.querySelectorAll('#suppressions tbody tr').length === 1,
    );
    expect(await page.textContent('#suppressions tbody')).toContain('+14155550123');
    expect(await page.$('.error')).toBeNull();
    await page.setInputFiles('input[name=file]', {
      name: 'list.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('email,reason\nnew-one@example.com,manual\nnot-an-address,manual\n'),
    });
    await page.click('form.inline button[type=submit]');
    await page.waitForSelector('.notice');
    expect(await page.textContent('.notice')).toBe(
      'Imported list.csv: 2 rows, 1 new, 0 updated, 0 unchanged, 1 invalid.',
    );
    await page.click('header nav >> text=Deliveries');
    await page.waitForSelector('#dead');
    await page.click('#dead button:has-text("Replay")');
    await page.waitForSelector('text=Queued 1 delivery');
  });
});
