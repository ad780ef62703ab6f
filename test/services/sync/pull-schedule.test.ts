import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../../helpers/app.js';
import { startSendGridServer } from '../../helpers/sync-servers/sendgrid.js';
import { takeLease } from '../../../src/storage/repositories/kv.repository.js';

const SG_KEY = 'SG.local-schedule-key';
const MINUTE = 60_000;

describe.each(testDialects())('pull schedule and lease on %s', (dialect) => {
  let t: TestApp;
  let sg: Awaited<ReturnType<typeof startSendGridServer>>;
  let offset = 0;
  beforeAll(async () => {
    sg = await startSendGridServer(SG_KEY);
    t = await buildTestApp(dialect, {
      env: {
        BOUNCER_SYNC_SENDGRID_API_KEY: SG_KEY,
        BOUNCER_SYNC_SENDGRID_BASE_URL: sg.url,
        BOUNCER_SYNC_PULL_INTERVAL_MINUTES: '15',
      },
      clock: { now: () => Date.now() + offset },
    });
  });
  afterAll(async () => {
    await t.close();
    await sg.close();
  });
  const gets = () => sg.requests.filter((r) => r.method === 'GET').length;

  it('pulls when due by the state in the database: the first time, then once the interval is over (local server implementing the documented SendGrid API)', async () => {
    for (let i = 0; i < 3; i++) sg.global.add(`sched${i}@example.com`);
    expect(await t.services.sync.pullIfDue('sendgrid')).toMatchObject({ imported: 3 });
    const after = gets();
    offset += 14 * MINUTE;
    expect(await t.services.sync.pullIfDue('sendgrid')).toBeNull();
    expect(gets()).toBe(after);
    offset += 2 * MINUTE;
    expect(await t.services.sync.pullIfDue('sendgrid')).toMatchObject({ imported: 0 });
    expect(gets()).toBeGreaterThan(after);
  });

  it('resumes an interrupted pass a minute after its failure, not on every worker round', async () => {
    offset += 16 * MINUTE;
    sg.failNext({ status: 503 }, 1);
    await expect(t.services.sync.pullIfDue('sendgrid')).rejects.toThrow(/HTTP 503/);
    const after = gets();
    offset += 30_000;
    expect(await t.services.sync.pullIfDue('sendgrid')).toBeNull();
    expect(gets()).toBe(after);
    offset += 31_000;
    expect(await t.services.sync.pullIfDue('sendgrid')).not.toBeNull();
    expect((await t.services.sync.status()).providers[0]!.pull).toMatchObject({
      in_progress: false,
      last_error: null,
    });
  });

  it('waits for a rate-limited pull page until SendGrid’s X-RateLimit-Reset, not just a minute', async () => {
    offset += 16 * MINUTE;
    // The reset is ten minutes on (epoch seconds, as SendGrid sends it).
    sg.rateLimit(1, Math.floor((t.clock.now() + 10 * MINUTE) / 1_000));
    await expect(t.services.sync.pullIfDue('sendgrid')).rejects.toThrow(/HTTP 429/);
    const after = gets();
    offset += 2 * MINUTE;
    expect(await t.services.sync.pullIfDue('sendgrid')).toBeNull();
    expect(gets()).toBe(after);
    offset += 9 * MINUTE;
    expect(await t.services.sync.pullIfDue('sendgrid')).not.toBeNull();
    expect(gets()).toBeGreaterThan(after);
  });

  it('lets one pass of a provider run at a time: while another instance holds the lease a pull gets 409 and the worker skips it; a lease left by a crash is taken over', async () => {
    offset += 16 * MINUTE;
    // Another instance is pulling SendGrid (it took the lease a moment ago).
    expect(
      await takeLease(t.tdb.db.kysely, 'sync.sendgrid.pull.lease', 'other', t.clock.now(), 1),
    ).toBe(true);
    const before = gets();
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sync/sendgrid/run',
      headers: auth(),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toBe('a pull of sendgrid is already running');
    expect(await t.services.sync.pullIfDue('sendgrid')).toBeNull();
    expect(gets()).toBe(before);
    // That instance died: five minutes without renewing, and the lease is taken over.
    offset += 5 * MINUTE + 1_000;
    expect(await t.services.sync.pullIfDue('sendgrid')).toMatchObject({ provider: 'sendgrid' });
    expect(gets()).toBeGreaterThan(before);
    // Released at the end of the pass: the next one may run at once.
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/sync/sendgrid/run', headers: auth() }))
        .statusCode,
    ).toBe(200);
  });
});
