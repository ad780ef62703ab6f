import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../../src/core/change-events.js';
import { mailgunSync, type MailgunCursor } from '../../../src/services/sync/mailgun.sync.js';
import { testDialects } from '../../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../../helpers/app.js';
import { startMailgunServer, type MailgunServer } from '../../helpers/sync-servers/mailgun.js';
import { deliverAllDue } from '../../helpers/outbound.js';

const MG_KEY = 'key-local-mailgun';
const DOMAINS = ['mg.example.com', 'news.example.com'];

describe.each(testDialects())('two-way sync with Mailgun’s suppression lists on %s', (dialect) => {
  let t: TestApp;
  let mg: MailgunServer;
  let offset = 0;
  beforeAll(async () => {
    mg = await startMailgunServer(MG_KEY);
    t = await buildTestApp(dialect, {
      env: {
        BOUNCER_SYNC_MAILGUN_API_KEY: MG_KEY,
        BOUNCER_SYNC_MAILGUN_DOMAINS: DOMAINS.join(','),
        BOUNCER_SYNC_MAILGUN_BASE_URL: mg.url,
        BOUNCER_OUTBOUND_RETRY_BASE_MS: '1000',
      },
      clock: { now: () => Date.now() + offset },
    });
    await t.services.outbound.syncConfigSubscriptions();
  });
  afterAll(async () => {
    await t.close();
    await mg.close();
  });
  const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url, payload: payload as object | undefined, headers: auth() });
  const suppress = (address: string, reason: string) =>
    inject('POST', '/v1/suppressions', { address, note: 'n', reason });
  const send = () => deliverAllDue(t, 500);
  const status = async (address: string) =>
    (await inject('GET', `/v1/suppressions/${encodeURIComponent(address)}`)).json();
  const pending = async () =>
    (await inject('GET', '/v1/outbound-deliveries?status=pending')).json().items as Array<{
      subscription_id: string;
      attempts: number;
      last_status: number | null;
      last_error: string | null;
      next_attempt_at: string;
    }>;
  const writes = () => mg.requests.filter((r) => r.method !== 'GET');

  it('adds each suppression to the fitting list of every domain through mailgun.js (local server implementing the documented API)', async () => {
    mg.requests.length = 0;
    await suppress('u@example.com', 'unsubscribe');
    await suppress('c@example.com', 'spam_complaint');
    await suppress('b@example.com', 'hard_bounce');
    await send();
    for (const d of DOMAINS) {
      const l = mg.lists.get(d)!;
      expect([...l.unsubscribes.keys()]).toEqual(['u@example.com']);
      expect([...l.complaints.keys()]).toEqual(['c@example.com']);
      expect([...l.bounces.keys()]).toEqual(['b@example.com']);
      expect(l.unsubscribes.get('u@example.com')!.tags).toEqual(['*']);
      expect(l.bounces.get('b@example.com')).toMatchObject({ code: '550' });
    }
    // The SDK's wire format: bounces and complaints as a JSON array, an unsubscribe as a
    // multipart form with tag=*.
    const bounce = writes().find((r) => r.path === '/v3/mg.example.com/bounces')!;
    expect(JSON.parse(bounce.body)).toEqual([
      { address: 'b@example.com', code: 550, error: 'suppressed by Bouncer (hard_bounce)' },
    ]);
    const unsub = writes().find((r) => r.path === '/v3/mg.example.com/unsubscribes')!;
    expect(unsub.body).toMatch(/name="tag"\r\n\r\n\*\r\n/);
  });

  it('removes a lifted address from every list, after waiting out a 429 and a 5xx', async () => {
    mg.rateLimitNext(30);
    mg.failNext({ status: 502 });
    await inject('DELETE', '/v1/suppressions/b@example.com?note=lifted');
    await send();
    expect(mg.lists.get('mg.example.com')!.bounces.has('b@example.com')).toBe(true);
    for (let i = 0; i < 3; i++) {
      offset += 60_000;
      await send();
    }
    for (const d of DOMAINS) expect(mg.lists.get(d)!.bounces.has('b@example.com')).toBe(false);
    // Deleting from the lists that never had it (404) counted as done.
    expect(await pending()).toEqual([]);
  });

  it('delays a push rate-limited with 429 by its Retry-After, then delivers it', async () => {
    mg.rateLimitNext(120);
    const before = t.clock.now();
    await suppress('rl@example.com', 'unsubscribe');
    await send();
    const [row] = await pending();
    expect(row).toMatchObject({ subscription_id: 'sync:mailgun', attempts: 1, last_status: 429 });
    expect(row!.last_error).toMatch(/^Mailgun POST \/v3\/mg\.example\.com\/unsubscribes: HTTP 429/);
    // Retry-After (120 s), not the 1 s base backoff, decides the next attempt.
    expect(Date.parse(row!.next_attempt_at) - before).toBeGreaterThanOrEqual(119_000);
    offset += 60_000;
    await send();
    expect(mg.lists.get('mg.example.com')!.unsubscribes.has('rl@example.com')).toBe(false);
    offset += 61_000;
    await send();
    for (const d of DOMAINS) expect(mg.lists.get(d)!.unsubscribes.has('rl@example.com')).toBe(true);
    expect(await pending()).toEqual([]);
  });

  it('retries a push that met a 5xx after the backoff', async () => {
    mg.failNext({ status: 503 }, 1, 1); // the first domain takes it, the second is down
    await suppress('fx@example.com', 'manual');
    await send();
    expect(mg.lists.get('news.example.com')!.unsubscribes.has('fx@example.com')).toBe(false);
    expect((await pending())[0]).toMatchObject({ last_status: 503 });
    offset += 2_000;
    await send();
    for (const d of DOMAINS) expect(mg.lists.get(d)!.unsubscribes.has('fx@example.com')).toBe(true);
    expect(await pending()).toEqual([]);
  });

  it('pulls ~1,200 entries across pages and domains with source sync:mailgun, resuming after a failed page without re-reading earlier ones', async () => {
    // An hour on: what Bouncer pushed above lies well before any incremental pass below.
    offset += 3_600_000;
    // Before the five minutes of overlap an incremental pass re-reads; RFC 2822 has seconds only.
    const created = Math.floor((t.clock.now() - 10 * 60_000) / 1_000) * 1_000;
    const [mgd, news] = DOMAINS as [string, string];
    for (let i = 0; i < 600; i++)
      mg.seed(mgd, 'bounces', { address: `bounce${i}@example.org`, createdAt: created });
    for (let i = 0; i < 150; i++)
      mg.seed(mgd, 'complaints', { address: `complaint${i}@example.org`, createdAt: created });
    for (let i = 0; i < 250; i++)
      mg.seed(mgd, 'unsubscribes', { address: `unsub${i}@example.org`, createdAt: created });
    // Unsubscribed from one tag only: not "never mail", so not imported.
    for (let i = 0; i < 20; i++)
      mg.seed(mgd, 'unsubscribes', {
        address: `tagged${i}@example.org`,
        tags: ['newsletter'],
        createdAt: created,
      });
    for (let i = 0; i < 100; i++)
      mg.seed(news, 'bounces', { address: `nbounce${i}@example.net`, createdAt: created });
    for (let i = 0; i < 100; i++)
      mg.seed(news, 'unsubscribes', { address: `nunsub${i}@example.net`, createdAt: created });
    const pushedBefore = await status('fx@example.com');
    const uBefore = await status('u@example.com');

    mg.requests.length = 0;
    mg.failNext({ status: 503 }, 1, 1); // the second page (bounces of the first domain, after 500)
    const started = performance.now();
    await expect(t.services.sync.pull('mailgun')).rejects.toThrow(
      /^Mailgun GET \/v3\/mg\.example\.com\/bounces: HTTP 503/,
    );
    const report = await t.services.sync.pull('mailgun');
    const seconds = (performance.now() - started) / 1_000;
    const seen = 500 + report.seen;
    console.log(
      `[pull] ${dialect}: ${seen} Mailgun entries (${500 + report.imported} imported) in ${seconds.toFixed(2)} s (${Math.round(seen / seconds)}/s)`,
    );
    const gets = mg.requests
      .filter((r) => r.method === 'GET')
      .map((r) => {
        const u = new URL(r.path, 'http://x');
        return `${u.pathname} ${u.searchParams.get('page') ?? 'first'} ${u.searchParams.get('limit')}`;
      });
    expect(gets).toEqual([
      '/v3/mg.example.com/bounces first 500',
      '/v3/mg.example.com/bounces next 500',
      '/v3/mg.example.com/bounces next 500', // resumed here: the first page was not read again
      '/v3/mg.example.com/complaints first 500',
      '/v3/mg.example.com/unsubscribes first 500',
      '/v3/news.example.com/bounces first 500',
      '/v3/news.example.com/complaints first 500',
      '/v3/news.example.com/unsubscribes first 500',
    ]);
    // 1,200 imported in all (500 by the failed pass); what Bouncer pushed (u, rl, fx
    // unsubscribes and c complaints, on both domains) came back and was skipped.
    expect(report).toMatchObject({ pages: 6, seen: 708, imported: 700, skipped: 8 });
    const rows = await t.tdb.db.kysely
      .selectFrom('suppressions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('source', '=', 'sync:mailgun')
      .executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(1_200);
    expect(await status('bounce7@example.org')).toMatchObject({
      suppressed: true,
      entries: [
        { reason: 'hard_bounce', source: 'sync:mailgun', since: new Date(created).toISOString() },
      ],
    });
    expect((await status('complaint9@example.org')).entries[0]).toMatchObject({
      reason: 'spam_complaint',
    });
    expect((await status('nunsub3@example.net')).entries[0]).toMatchObject({
      reason: 'unsubscribe',
      source: 'sync:mailgun',
    });
    expect((await status('tagged3@example.org')).suppressed).toBe(false);
    // A pushed entry coming back changes nothing: fx stays `manual` (Mailgun has it as an
    // unsubscribe), u as it was; and nothing pulled is pushed back to Mailgun.
    expect(await status('fx@example.com')).toEqual(pushedBefore);
    expect(await status('u@example.com')).toEqual(uBefore);
    await send();
    expect(writes()).toEqual([]);
    expect(await pending()).toEqual([]);
  });

  it('imports in a later pass what Bouncer does not have, backdated entries included (every page is read: Mailgun lists are alphabetical, without a date filter)', async () => {
    offset += 60_000;
    const news = DOMAINS[1]!;
    for (let i = 0; i < 3; i++)
      mg.seed(news, 'complaints', { address: `new${i}@example.net`, createdAt: t.clock.now() });
    // Older than the last pass (a backdated import in Mailgun): still imported.
    mg.seed(news, 'bounces', {
      address: 'old@example.net',
      createdAt: Date.parse('Fri, 21 Oct 2011 11:02:55 GMT'),
    });
    mg.requests.length = 0;
    const report = await t.services.sync.pull('mailgun');
    expect(report).toMatchObject({ pages: 7, imported: 4 });
    // Everything else on the lists is Bouncer's already: read and skipped.
    expect(report.skipped).toBe(report.seen - 4);
    expect(mg.requests.filter((r) => r.method === 'GET')).toHaveLength(7);
    expect((await status('new1@example.net')).entries[0]).toMatchObject({
      reason: 'spam_complaint',
      source: 'sync:mailgun',
    });
    expect((await status('old@example.net')).entries[0]).toMatchObject({
      reason: 'hard_bounce',
      source: 'sync:mailgun',
    });
  });

  it('answers the Mailgun pull state on GET /v1/sync', async () => {
    const state = (await inject('GET', '/v1/sync')).json();
    expect(
      state.providers.find((p: { provider: string }) => p.provider === 'mailgun'),
    ).toMatchObject({
      configured: true,
      push: { pending: 0 },
      pull: { in_progress: false, last_imported: 4, last_error: null },
    });
  });
});

describe('Mailgun push and pull errors (local server implementing the documented API)', () => {
  let mg: MailgunServer;
  beforeAll(async () => {
    mg = await startMailgunServer(MG_KEY);
  });
  afterAll(async () => {
    await mg.close();
  });
  const event: ChangeEvent = {
    type: 'suppression.added',
    at: 0,
    data: {
      address: 'secret.person@example.com',
      channel: 'email',
      scope: '*',
      reason: 'hard_bounce',
      source: 'api',
      until: null,
    },
  };

  it('reports a refused key as HTTP 401 with provider, method and path, and no address', async () => {
    const sync = mailgunSync({ apiKey: 'wrong', baseUrl: mg.url, domains: ['mg.example.com'] });
    const r = await sync.push(event, Date.now());
    expect(r).toMatchObject({ ok: false, status: 401, retryAfterMs: null });
    expect(r.error).toMatch(/^Mailgun POST \/v3\/mg\.example\.com\/bounces: HTTP 401/);
    expect(r.error).not.toContain('secret.person');
  });

  it('reports no answer (a refused connection) with no status, not the SDK’s 400', async () => {
    const sync = mailgunSync({
      apiKey: MG_KEY,
      baseUrl: 'http://127.0.0.1:1',
      domains: ['mg.example.com'],
    });
    const r = await sync.push({ ...event, type: 'suppression.removed' }, Date.now());
    expect(r).toMatchObject({ ok: false, status: null });
    expect(r.error).toMatch(/^Mailgun DELETE \/v3\/mg\.example\.com\/bounces: no HTTP answer/);
  });

  it('fails a rate-limited page with its Retry-After, and a resumed cursor reads on from its token', async () => {
    const pull = mailgunSync({ apiKey: MG_KEY, baseUrl: mg.url, domains: ['d.example.com'] }).pull!;
    for (let i = 0; i < 3; i++) mg.seed('d.example.com', 'complaints', { address: `c${i}@x.org` });
    mg.rateLimitNext(7);
    const first = pull.first(0) as MailgunCursor;
    await expect(pull.page(first, Date.now())).rejects.toMatchObject({
      status: 429,
      retryAfterMs: 7_000,
    });
    const bounces = await pull.page(first, Date.now());
    expect(bounces).toEqual({
      entries: [],
      next: { domain: 0, list: 'complaints', page: null, since: 0 },
    });
    // The cursor survives JSON (it is kept in kv between runs).
    const complaints = await pull.page(
      JSON.parse(JSON.stringify(bounces.next)) as unknown,
      Date.now(),
    );
    expect(complaints.entries.map((e) => [e.address, e.reason])).toEqual([
      ['c0@x.org', 'spam_complaint'],
      ['c1@x.org', 'spam_complaint'],
      ['c2@x.org', 'spam_complaint'],
    ]);
    expect(complaints.next).toMatchObject({ list: 'unsubscribes', page: null });
  });
});
