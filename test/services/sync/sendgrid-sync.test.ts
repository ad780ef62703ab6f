import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../../src/core/change-events.js';
import { pushToSendGrid } from '../../../src/services/sync/sendgrid.sync.js';
import { testDialects } from '../../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../../helpers/app.js';
import { startSendGridServer } from '../../helpers/sync-servers/sendgrid.js';
import { deliverAllDue } from '../../helpers/outbound.js';

const SG_KEY = 'SG.local-sendgrid-sync';

const added = (address: string): ChangeEvent => ({
  type: 'suppression.added',
  at: 0,
  data: { address, channel: 'email', scope: '*', reason: 'manual', source: 'manual', until: null },
});

describe.each(testDialects())('SendGrid sync through @sendgrid/client on %s', (dialect) => {
  let t: TestApp;
  let sg: Awaited<ReturnType<typeof startSendGridServer>>;
  let offset = 0;
  beforeAll(async () => {
    sg = await startSendGridServer(SG_KEY);
    t = await buildTestApp(dialect, {
      env: {
        BOUNCER_SYNC_SENDGRID_API_KEY: SG_KEY,
        BOUNCER_SYNC_SENDGRID_BASE_URL: sg.url,
        BOUNCER_OUTBOUND_RETRY_BASE_MS: '1000',
      },
      clock: { now: () => Date.now() + offset },
    });
    await t.services.outbound.syncConfigSubscriptions();
  });
  afterAll(async () => {
    await t.close();
    await sg.close();
  });
  const inject = (method: 'POST' | 'DELETE' | 'GET', url: string, payload?: unknown) =>
    t.app.inject({ method, url, payload: payload as object | undefined, headers: auth() });
  const send = () => deliverAllDue(t);
  const pending = async () =>
    (await inject('GET', '/v1/outbound-deliveries?status=pending')).json().items as Array<{
      last_status: number | null;
      attempts: number;
      next_attempt_at: string;
      last_error: string | null;
    }>;
  const status = async (address: string) =>
    (await inject('GET', `/v1/suppressions/${encodeURIComponent(address)}`)).json();

  it('delays a push answered 429 until its X-RateLimit-Reset, then delivers it (local server implementing the documented API)', async () => {
    const resetAt = Math.ceil((Date.now() + offset) / 1_000) + 300;
    sg.rateLimit(1, resetAt);
    sg.requests.length = 0;
    await inject('POST', '/v1/suppressions', { address: 'reset@example.com', note: 'n' });
    await send();
    expect(sg.global.has('reset@example.com')).toBe(false);
    const [row] = await pending();
    expect(row).toMatchObject({ last_status: 429, attempts: 1 });
    expect(row!.last_error).toMatch(
      /^SendGrid POST \/v3\/asm\/suppressions: HTTP 429 .*too many requests/,
    );
    expect(Date.parse(row!.next_attempt_at)).toBeGreaterThanOrEqual(resetAt * 1_000 - 1_000);
    // Two minutes on (long past the 1 s backoff) the window has not reset: nothing is tried.
    offset += 120_000;
    await send();
    expect(sg.requests).toHaveLength(1);
    offset += 200_000;
    await send();
    expect(sg.requests).toHaveLength(2);
    expect(sg.global.has('reset@example.com')).toBe(true);
    expect(await pending()).toEqual([]);
  });

  it('pulls the spam reports after the unsubscribes and bounces (as spam_complaint), and a lift deletes the address from every list', async () => {
    sg.global.add('u@example.com');
    sg.bounces.add('b@example.com');
    sg.spamReports.add('spam@example.com');
    sg.created.set('spam@example.com', 1_700_000_000);
    sg.requests.length = 0;
    const report = await t.services.sync.pull('sendgrid');
    expect(sg.requests.map((r) => new URL(r.path, 'http://x').pathname)).toEqual([
      '/v3/suppression/unsubscribes',
      '/v3/suppression/bounces',
      '/v3/suppression/spam_reports',
    ]);
    expect(new URL(sg.requests[2]!.path, 'http://x').searchParams.get('limit')).toBe('500');
    // reset@example.com (pushed above) comes back from the global list and is recognised.
    expect(report).toMatchObject({ pages: 3, seen: 4, imported: 3, skipped: 1 });
    expect((await status('spam@example.com')).entries[0]).toMatchObject({
      reason: 'spam_complaint',
      source: 'sync:sendgrid',
    });
    expect((await status('b@example.com')).entries[0]).toMatchObject({ reason: 'hard_bounce' });
    sg.requests.length = 0;
    await inject('DELETE', '/v1/suppressions/spam@example.com?note=lifted');
    await send();
    expect(sg.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'DELETE /v3/asm/suppressions/global/spam%40example.com',
      'DELETE /v3/suppression/bounces/spam%40example.com',
      'DELETE /v3/suppression/spam_reports/spam%40example.com',
    ]);
    expect(sg.spamReports.has('spam@example.com')).toBe(false);
    expect(await pending()).toEqual([]);
  });

  it('stops a pull at a 429 with the SDK’s ResponseError status and keeps the cursor for the next run', async () => {
    sg.global.add('late@example.com');
    // Incremental: only what was created since the last pass started (minus the overlap).
    sg.created.set('late@example.com', Math.ceil((Date.now() + offset) / 1_000));
    sg.rateLimit(1, Math.ceil(Date.now() / 1_000) + 60);
    await expect(t.services.sync.pull('sendgrid')).rejects.toThrow(
      /^SendGrid GET \/v3\/suppression\/unsubscribes: HTTP 429/,
    );
    const report = await t.services.sync.pull('sendgrid');
    expect(report.pages).toBe(3);
    expect((await status('late@example.com')).entries[0]).toMatchObject({
      source: 'sync:sendgrid',
    });
  });

  it('maps the SDK’s errors: 401 for a wrong key, a refused connection; no address in the message', async () => {
    const now = Date.now();
    const wrong = await pushToSendGrid(
      { apiKey: 'SG.not-the-key', baseUrl: sg.url },
      added('k@example.com'),
      now,
    );
    expect(wrong).toMatchObject({ ok: false, status: 401, retryAfterMs: null });
    expect(wrong.error).toMatch(/^SendGrid POST \/v3\/asm\/suppressions: HTTP 401 /);
    const gone = await startSendGridServer(SG_KEY);
    await gone.close();
    const down = await pushToSendGrid(
      { apiKey: SG_KEY, baseUrl: gone.url },
      { ...added('k@example.com'), type: 'suppression.removed' },
      now,
    );
    expect(down).toMatchObject({ ok: false, status: null });
    expect(down.error).toMatch(/^SendGrid DELETE \/v3\/asm\/suppressions: .*ECONNREFUSED/);
    expect(down.error).not.toContain('k@example.com');
    expect(sg.global.has('k@example.com')).toBe(false);
  });
});
