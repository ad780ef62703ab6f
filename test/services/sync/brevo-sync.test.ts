import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../../src/core/change-events.js';
import { pushToBrevo } from '../../../src/services/sync/brevo.sync.js';
import { testDialects } from '../../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../../helpers/app.js';
import { startBrevoServer, type BrevoBlockCode } from '../../helpers/sync-servers/brevo.js';
import { deliverAllDue } from '../../helpers/outbound.js';

const KEY = 'brevo-key';
const DAY_MS = 86_400_000;
const CODES: Array<[BrevoBlockCode, string]> = [
  ['hardBounce', 'hard_bounce'],
  ['contactFlaggedAsSpam', 'spam_complaint'],
  ['unsubscribedViaMA', 'unsubscribe'],
  ['unsubscribedViaEmail', 'unsubscribe'],
  ['unsubscribedViaApi', 'unsubscribe'],
  ['adminBlocked', 'unsubscribe'],
];

const added = (address: string): ChangeEvent => ({
  type: 'suppression.added',
  at: 0,
  data: { address, channel: 'email', scope: '*', reason: 'manual', source: 'manual', until: null },
});

describe.each(testDialects())('Brevo sync on %s', (dialect) => {
  let t: TestApp;
  let brevo: Awaited<ReturnType<typeof startBrevoServer>>;
  let offset = 0;
  /** When the first pull pass started (the incremental pass reads from there). */
  let firstPassStart = 0;
  beforeAll(async () => {
    brevo = await startBrevoServer(KEY);
    t = await buildTestApp(dialect, {
      env: {
        BOUNCER_SYNC_BREVO_API_KEY: KEY,
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
  const inject = (method: 'POST' | 'DELETE' | 'GET', url: string, payload?: unknown) =>
    t.app.inject({ method, url, payload: payload as object | undefined, headers: auth() });
  const send = () => deliverAllDue(t);
  const status = async (address: string) =>
    (await inject('GET', `/v1/suppressions/${encodeURIComponent(address)}`)).json();
  const pending = async () =>
    (await inject('GET', '/v1/outbound-deliveries?status=pending')).json().items as Array<{
      last_status: number | null;
      attempts: number;
      next_attempt_at: string;
      last_error: string | null;
    }>;
  const query = (path: string) => new URL(path, 'http://x').searchParams;

  it('imports Brevo’s blocked contacts page by page from a local server implementing the documented API, mapping every reason code, resuming after a failed page', async () => {
    const base = Date.now() - 40 * DAY_MS;
    for (let i = 0; i < 1_200; i++)
      brevo.block(`blocked${i}@example.com`, {
        code: CODES[i % CODES.length]![0],
        senderEmail: 'news@sender.example',
        blockedAt: base + i * 60_000,
      });
    // The second page fails: the pass stops with its cursor saved.
    brevo.failNext({ status: 503 }, 1, 1);
    brevo.requests.length = 0;
    firstPassStart = Date.now() + offset;
    await expect(t.services.sync.pull('brevo')).rejects.toThrow(
      /Brevo GET \/v3\/smtp\/blockedContacts: HTTP 503/,
    );
    const started = performance.now();
    const report = await t.services.sync.pull('brevo');
    const seconds = (performance.now() - started) / 1_000;
    console.log(
      `[pull] ${dialect}: ${report.seen} Brevo entries in ${report.pages} pages in ${seconds.toFixed(2)} s (${Math.round(report.seen / seconds)}/s)`,
    );
    const gets = brevo.requests.filter((r) => r.method === 'GET');
    // Resumed at the failed page: 100 a page (Brevo's maximum), the first page read once.
    expect(gets.map((r) => query(r.path).get('offset'))).toEqual([
      '0',
      '100',
      ...Array.from({ length: 11 }, (_, i) => String((i + 1) * 100)),
    ]);
    // The initial import reads the whole list, oldest first, without a date range.
    for (const r of gets) {
      expect(query(r.path).get('limit')).toBe('100');
      expect(query(r.path).get('sort')).toBe('asc');
      expect(query(r.path).has('startDate')).toBe(false);
    }
    expect(report).toMatchObject({ pages: 11, seen: 1_100, imported: 1_100 });
    for (const [i, [, reason]] of CODES.entries())
      expect(await status(`blocked${i}@example.com`)).toMatchObject({
        suppressed: true,
        entries: [{ reason, source: 'sync:brevo' }],
      });
    expect((await status('blocked1199@example.com')).entries[0]).toMatchObject({
      reason: 'unsubscribe',
      source: 'sync:brevo',
    });
    // Nothing that came from Brevo is pushed back to it.
    brevo.requests.length = 0;
    await send();
    expect(brevo.requests).toEqual([]);
  });

  it('recognises a pushed entry coming back on the incremental pass (nothing changes), and imports what was blocked in the Brevo console since', async () => {
    await inject('POST', '/v1/suppressions', { address: 'back@example.com', note: 'n' });
    await send();
    expect(brevo.blocks.get('back@example.com')).toMatchObject({ code: 'unsubscribedViaApi' });
    brevo.block('console@example.com', { code: 'contactFlaggedAsSpam' });
    const before = await status('back@example.com');
    brevo.requests.length = 0;
    const report = await t.services.sync.pull('brevo');
    // Incremental: from a day before the last pass's day (day granularity), to today.
    const q = query(brevo.requests[0]!.path);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    expect(q.get('startDate')).toBe(day(firstPassStart - 5 * 60_000 - DAY_MS));
    expect(q.get('endDate')).toBe(day(Date.now()));
    expect(report).toMatchObject({ pages: 1, seen: 2, imported: 1, skipped: 1 });
    expect(await status('back@example.com')).toEqual(before);
    expect((await status('back@example.com')).entries[0]).toMatchObject({
      reason: 'manual',
      source: 'manual',
    });
    expect((await status('console@example.com')).entries[0]).toMatchObject({
      reason: 'spam_complaint',
      source: 'sync:brevo',
    });
    brevo.requests.length = 0;
    await send();
    expect(brevo.requests).toEqual([]);
  });

  it('blocks the contact through the SDK, creating it when Brevo does not know it, retries a 5xx, and unblocks it on a lift (local server implementing the documented API)', async () => {
    brevo.contacts.set('known@example.com', { blocked: false });
    brevo.failNext({ status: 503 });
    brevo.requests.length = 0;
    await inject('POST', '/v1/suppressions', { address: 'known@example.com', note: 'n' });
    await inject('POST', '/v1/suppressions', { address: 'new@example.com', note: 'n' });
    await send();
    expect((await pending()).map((d) => d.last_status)).toEqual([503]);
    offset += 60_000;
    await send();
    expect(brevo.contacts.get('known@example.com')).toEqual({ blocked: true });
    expect(brevo.contacts.get('new@example.com')).toEqual({ blocked: true });
    const forNew = brevo.requests.filter(
      (r) => r.path.includes('new%40example.com') || r.body.includes('new@'),
    );
    expect(forNew.slice(-2).map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /v3/contacts/new%40example.com',
      'POST /v3/contacts',
    ]);
    expect(JSON.parse(forNew.at(-1)!.body)).toEqual({
      email: 'new@example.com',
      emailBlacklisted: true,
    });
    brevo.requests.length = 0;
    await inject('DELETE', '/v1/suppressions/known@example.com?note=lifted');
    await send();
    expect(brevo.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'DELETE /v3/smtp/blockedContacts/known%40example.com',
    ]);
    expect(brevo.contacts.get('known@example.com')).toEqual({ blocked: false });
    expect(brevo.blocks.has('known@example.com')).toBe(false);
    // A lift of an address Brevo has not blocked (404) is done, not retried.
    await t.app.inject({
      method: 'POST',
      url: '/v1/import?source=sync:brevo',
      payload: 'email,reason,source\nnotthere@example.com,hard_bounce,sync:brevo\n',
      headers: { ...auth(), 'content-type': 'text/csv' },
    });
    await inject('DELETE', '/v1/suppressions/notthere@example.com?note=lifted');
    await send();
    expect(brevo.requests.at(-1)).toMatchObject({
      method: 'DELETE',
      path: '/v3/smtp/blockedContacts/notthere%40example.com',
    });
    expect(await pending()).toEqual([]);
  });

  it('waits out a 429 until x-sib-ratelimit-reset has passed, then delivers: delayed, never lost', async () => {
    brevo.throttle(1, 120);
    brevo.requests.length = 0;
    const before = Date.now() + offset;
    await inject('POST', '/v1/suppressions', { address: 'later@example.com', note: 'n' });
    await send();
    expect(brevo.contacts.has('later@example.com')).toBe(false);
    const [row] = await pending();
    expect(row).toMatchObject({ last_status: 429, attempts: 1 });
    expect(row!.last_error).toMatch(/^Brevo PUT \/v3\/contacts: HTTP 429/);
    expect(row!.last_error).not.toContain('later@example.com');
    expect(Date.parse(row!.next_attempt_at)).toBeGreaterThanOrEqual(before + 120_000);
    // A minute on (past the 1 s backoff) the reset has not come: nothing is tried.
    offset += 60_000;
    await send();
    expect(brevo.requests).toHaveLength(1);
    offset += 70_000;
    await send();
    expect(brevo.contacts.get('later@example.com')).toEqual({ blocked: true });
    expect(await pending()).toEqual([]);
  });

  it('maps the SDK’s errors: 401 for a wrong key, Retry-After on a 429, a refused connection', async () => {
    const now = Date.now();
    const wrong = await pushToBrevo(
      { apiKey: 'not-the-key', baseUrl: brevo.url },
      added('k@example.com'),
      now,
    );
    expect(wrong).toMatchObject({ ok: false, status: 401, retryAfterMs: null });
    expect(wrong.error).toMatch(/^Brevo PUT \/v3\/contacts: HTTP 401 .*unauthorized/);
    brevo.failNext({ status: 429, headers: { 'retry-after': '300' } });
    const limited = await pushToBrevo(
      { apiKey: KEY, baseUrl: brevo.url },
      added('k@example.com'),
      now,
    );
    expect(limited).toMatchObject({ ok: false, status: 429, retryAfterMs: 300_000 });
    brevo.throttle(1, 30, { 'retry-after': '10' });
    const both = await pushToBrevo(
      { apiKey: KEY, baseUrl: brevo.url },
      added('k@example.com'),
      now,
    );
    expect(both).toMatchObject({ ok: false, status: 429, retryAfterMs: 30_000 });
    const gone = await startBrevoServer(KEY);
    await gone.close();
    const down = await pushToBrevo({ apiKey: KEY, baseUrl: gone.url }, added('k@example.com'), now);
    expect(down).toMatchObject({ ok: false, status: null });
    expect(down.error).toMatch(/^Brevo PUT \/v3\/contacts: .*ECONNREFUSED/);
    expect(brevo.contacts.has('k@example.com')).toBe(false);
  });
});
