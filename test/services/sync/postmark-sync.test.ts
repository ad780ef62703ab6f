import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../../src/core/change-events.js';
import { pushToPostmark } from '../../../src/services/sync/postmark.sync.js';
import { testDialects } from '../../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../../helpers/app.js';
import { easternDate, startPostmarkServer } from '../../helpers/sync-servers/postmark.js';
import { deliverAllDue } from '../../helpers/outbound.js';

const TOKEN = 'pm-server-token';
const STREAMS = 'outbound,broadcast';
const DAY_MS = 86_400_000;

type PostmarkServer = Awaited<ReturnType<typeof startPostmarkServer>>;

const added = (address: string): ChangeEvent => ({
  type: 'suppression.added',
  at: 0,
  data: { address, channel: 'email', scope: '*', reason: 'manual', source: 'manual', until: null },
});

/** What Bouncer sent: method, path and the query of each request. */
const calls = (pm: PostmarkServer, method: string) =>
  pm.requests
    .filter((r) => r.method === method)
    .map((r) => new URL(r.path, 'http://x'))
    .map((u) => ({ path: u.pathname, query: Object.fromEntries(u.searchParams) }));

describe.each(testDialects())('push to Postmark’s suppressions on %s', (dialect) => {
  let t: TestApp;
  let pm: PostmarkServer;
  let offset = 0;
  beforeAll(async () => {
    pm = await startPostmarkServer(TOKEN);
    t = await buildTestApp(dialect, {
      env: {
        BOUNCER_SYNC_POSTMARK_SERVER_TOKEN: TOKEN,
        BOUNCER_SYNC_POSTMARK_STREAMS: STREAMS,
        BOUNCER_SYNC_POSTMARK_BASE_URL: pm.url,
        BOUNCER_OUTBOUND_RETRY_BASE_MS: '1000',
      },
      clock: { now: () => Date.now() + offset },
    });
    await t.services.outbound.syncConfigSubscriptions();
  });
  afterAll(async () => {
    await t.close();
    await pm.close();
  });
  const inject = (method: 'POST' | 'DELETE' | 'GET', url: string, payload?: unknown) =>
    t.app.inject({ method, url, payload: payload as object | undefined, headers: auth() });
  const send = () => deliverAllDue(t);
  const pending = async () =>
    (await inject('GET', '/v1/outbound-deliveries?status=pending')).json().items as Array<
      Record<string, unknown>
    >;

  it('suppresses in every configured stream through the SDK, then lifts it (local server implementing the documented API)', async () => {
    pm.requests.length = 0;
    await inject('POST', '/v1/suppressions', { address: 'p@example.com', note: 'n' });
    await send();
    for (const s of ['outbound', 'broadcast'])
      expect(pm.streams.get(s)!.get('p@example.com')).toMatchObject({
        reason: 'ManualSuppression',
        origin: 'Customer',
      });
    expect(calls(pm, 'POST').map((c) => c.path)).toEqual([
      '/message-streams/outbound/suppressions',
      '/message-streams/broadcast/suppressions',
    ]);
    await inject('DELETE', '/v1/suppressions/p@example.com?note=lifted');
    await send();
    expect(pm.streams.get('outbound')!.has('p@example.com')).toBe(false);
    expect(pm.streams.get('broadcast')!.has('p@example.com')).toBe(false);
    expect(
      calls(pm, 'POST')
        .slice(2)
        .map((c) => c.path),
    ).toEqual([
      '/message-streams/outbound/suppressions/delete',
      '/message-streams/broadcast/suppressions/delete',
    ]);
  });

  it('takes a Failed delete of a spam complaint as final: Postmark keeps it, the lift counts as done', async () => {
    pm.seed('outbound', 'spam@example.com', { reason: 'SpamComplaint' });
    await inject('POST', '/v1/suppressions', {
      address: 'spam@example.com',
      note: 'n',
      reason: 'spam_complaint',
    });
    await send();
    await inject('DELETE', '/v1/suppressions/spam@example.com?note=lifted');
    pm.requests.length = 0;
    await send();
    expect(pm.streams.get('outbound')!.get('spam@example.com')?.reason).toBe('SpamComplaint');
    // The other stream still got its delete: a Failed one does not stop the rest.
    expect(pm.streams.get('broadcast')!.has('spam@example.com')).toBe(false);
    expect(calls(pm, 'POST')).toHaveLength(2);
    expect(await pending()).toEqual([]);
    offset += 60 * 60_000;
    await send();
    expect(calls(pm, 'POST')).toHaveLength(2);
  });

  it('retries a Failed add, and names provider, method, path and status without the address', async () => {
    const cfg = { serverToken: TOKEN, baseUrl: pm.url, streams: ['outbound'] };
    const failed = await pushToPostmark(cfg, added('not-an-address'));
    expect(failed).toMatchObject({ ok: false, status: 200 });
    expect(failed.error).toBe(
      'Postmark POST /message-streams/outbound/suppressions: Failed An invalid email address was provided.',
    );
    const refused = await pushToPostmark({ ...cfg, serverToken: 'wrong' }, added('x@example.com'));
    expect(refused).toMatchObject({ ok: false, status: 401, retryAfterMs: null });
    expect(refused.error).toBe(
      'Postmark POST /message-streams/outbound/suppressions: HTTP 401 (ErrorCode 10) Bad or missing Server API token.',
    );
    expect(pm.streams.get('outbound')!.has('x@example.com')).toBe(false);
  });

  it('waits out a 429 with Retry-After and a 5xx outage, one request per attempt (the SDK does not retry): delayed, never lost', async () => {
    pm.failNext({ status: 429, headers: { 'retry-after': '120' } });
    pm.requests.length = 0;
    const before = Date.now() + offset;
    await inject('POST', '/v1/suppressions', { address: 'later@example.com', note: 'n' });
    await send();
    const [row] = await pending();
    expect(row).toMatchObject({ subscription_id: 'sync:postmark', last_status: 429, attempts: 1 });
    expect(row!.last_error).toBe(
      'Postmark POST /message-streams/outbound/suppressions: HTTP 429 (ErrorCode 429) Rate Limit Exceeded',
    );
    expect(Date.parse(row!.next_attempt_at as string)).toBeGreaterThanOrEqual(before + 119_000);
    expect(calls(pm, 'POST')).toHaveLength(1);
    pm.failNext({ status: 503 });
    pm.failNext({ status: 500 });
    offset += 121_000;
    await send();
    expect((await pending())[0]).toMatchObject({ last_status: 503, attempts: 2 });
    for (let i = 0; i < 3; i++) {
      offset += 10 * 60_000;
      await send();
    }
    expect(await pending()).toEqual([]);
    // 429, 503, 500: one request each; then both streams.
    expect(calls(pm, 'POST')).toHaveLength(5);
    for (const s of ['outbound', 'broadcast'])
      expect(pm.streams.get(s)!.has('later@example.com')).toBe(true);
  });
});

describe.each(testDialects())('pull Postmark’s suppression dumps on %s', (dialect) => {
  let t: TestApp;
  let pm: PostmarkServer;
  beforeAll(async () => {
    pm = await startPostmarkServer(TOKEN);
    t = await buildTestApp(dialect, {
      env: {
        BOUNCER_SYNC_POSTMARK_SERVER_TOKEN: TOKEN,
        BOUNCER_SYNC_POSTMARK_STREAMS: STREAMS,
        BOUNCER_SYNC_POSTMARK_BASE_URL: pm.url,
      },
    });
    await t.services.outbound.syncConfigSubscriptions();
  });
  afterAll(async () => {
    await t.close();
    await pm.close();
  });
  const status = async (address: string) =>
    (
      await t.app.inject({
        method: 'GET',
        url: `/v1/suppressions/${encodeURIComponent(address)}`,
        headers: auth(),
      })
    ).json();
  const send = () => deliverAllDue(t);
  // Made in Postmark ten days ago, so later (incremental) passes do not read them again.
  const old = Date.now() - 10 * DAY_MS;

  it('imports 1 200 entries from the dumps of two streams with Postmark’s reasons and times (local server implementing the documented API)', async () => {
    for (let i = 0; i < 500; i++)
      pm.seed('outbound', `hard${i}@example.com`, { reason: 'HardBounce', createdAt: old + i });
    for (let i = 0; i < 200; i++)
      pm.seed('outbound', `spam${i}@example.com`, { reason: 'SpamComplaint', createdAt: old });
    for (let i = 0; i < 500; i++)
      pm.seed('broadcast', `unsub${i}@example.com`, {
        reason: 'ManualSuppression',
        createdAt: old,
      });
    pm.requests.length = 0;
    const started = performance.now();
    const report = await t.services.sync.pull('postmark');
    const seconds = (performance.now() - started) / 1_000;
    console.log(
      `[pull] ${dialect}: ${report.seen} Postmark entries in ${seconds.toFixed(2)} s (${Math.round(report.seen / seconds)}/s)`,
    );
    expect(report).toMatchObject({ pages: 2, seen: 1_200, imported: 1_200, skipped: 0 });
    // The initial import: the whole list, no date filter, no paging parameters.
    expect(calls(pm, 'GET')).toEqual([
      { path: '/message-streams/outbound/suppressions/dump', query: {} },
      { path: '/message-streams/broadcast/suppressions/dump', query: {} },
    ]);
    const hard = await status('hard7@example.com');
    expect(hard.entries[0]).toMatchObject({
      reason: 'hard_bounce',
      source: 'sync:postmark',
      since: new Date(Math.floor((old + 7) / 1_000) * 1_000).toISOString(),
    });
    expect((await status('spam3@example.com')).entries[0]).toMatchObject({
      reason: 'spam_complaint',
      source: 'sync:postmark',
    });
    expect((await status('unsub9@example.com')).entries[0]).toMatchObject({
      reason: 'unsubscribe',
      source: 'sync:postmark',
    });
  });

  it('reads from the day of the last pass on (fromdate) and resumes at the stream that failed', async () => {
    pm.seed('outbound', 'new-bounce@example.com', { reason: 'HardBounce' });
    pm.seed('broadcast', 'new-unsub@example.com', { reason: 'ManualSuppression' });
    pm.failNext({ status: 503 }, 1, 1);
    pm.requests.length = 0;
    await expect(t.services.sync.pull('postmark')).rejects.toThrow(
      'Postmark GET /message-streams/broadcast/suppressions/dump: HTTP 503 (ErrorCode 100) Maintenance',
    );
    expect((await status('new-bounce@example.com')).suppressed).toBe(true);
    expect((await status('new-unsub@example.com')).suppressed).toBe(false);
    const report = await t.services.sync.pull('postmark');
    expect(report).toMatchObject({ pages: 1, seen: 1, imported: 1 });
    expect((await status('new-unsub@example.com')).entries[0]).toMatchObject({
      reason: 'unsubscribe',
      source: 'sync:postmark',
    });
    const gets = calls(pm, 'GET');
    expect(gets.map((g) => g.path)).toEqual([
      '/message-streams/outbound/suppressions/dump',
      '/message-streams/broadcast/suppressions/dump',
      '/message-streams/broadcast/suppressions/dump',
    ]);
    // A day (Eastern time, as Postmark's dates), at most a day before today's: the last pass
    // started minutes ago, less the five minutes of overlap.
    const fromdate = gets[0]!.query.fromDate ?? gets[0]!.query.fromdate;
    expect([easternDate(Date.now()), easternDate(Date.now() - DAY_MS)]).toContain(fromdate);
    expect(gets.every((g) => (g.query.fromDate ?? g.query.fromdate) === fromdate)).toBe(true);
  });

  it('recognises an entry Bouncer pushed when it comes back: nothing changes, nothing is pushed back', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/v1/suppressions',
      payload: { address: 'mine@example.com', note: 'n', reason: 'hard_bounce' },
      headers: auth(),
    });
    await send();
    expect(pm.streams.get('outbound')!.get('mine@example.com')?.reason).toBe('ManualSuppression');
    pm.requests.length = 0;
    const report = await t.services.sync.pull('postmark');
    // Postmark gives it back (as ManualSuppression, in both streams); Bouncer's entry stands.
    expect(report).toMatchObject({ seen: 4, imported: 0, skipped: 4 });
    expect((await status('mine@example.com')).entries).toMatchObject([
      { reason: 'hard_bounce', source: 'manual' },
    ]);
    await send();
    expect(calls(pm, 'POST')).toEqual([]);
    const s = await t.services.sync.status();
    expect(s.providers.find((p) => p.provider === 'postmark')).toMatchObject({
      configured: true,
      push: { pending: 0 },
      pull: { in_progress: false, last_error: null },
    });
  });
});
