import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { OutboundLoop } from '../../../src/worker/outbound.js';
import { testDialects } from '../../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../../helpers/app.js';
import { pushToSes } from '../../../src/services/sync/ses.sync.js';
import { startSendGridServer } from '../../helpers/sync-servers/sendgrid.js';
import { startSesServer } from '../../helpers/sync-servers/ses.js';
import { deliverAllDue } from '../../helpers/outbound.js';

const SG_KEY = 'SG.local-test-key';
const AWS = {
  accessKeyId: 'AKIDLOCALTEST',
  secretAccessKey: 'local/secret/key',
  region: 'eu-west-1',
};

describe.each(testDialects())('push to providers’ suppression lists on %s', (dialect) => {
  let t: TestApp;
  let sg: Awaited<ReturnType<typeof startSendGridServer>>;
  let ses: Awaited<ReturnType<typeof startSesServer>>;
  let offset = 0;
  beforeAll(async () => {
    sg = await startSendGridServer(SG_KEY);
    ses = await startSesServer(AWS);
    t = await buildTestApp(dialect, {
      env: {
        BOUNCER_SYNC_SENDGRID_API_KEY: SG_KEY,
        BOUNCER_SYNC_SENDGRID_BASE_URL: sg.url,
        BOUNCER_SYNC_SES_ACCESS_KEY_ID: AWS.accessKeyId,
        BOUNCER_SYNC_SES_SECRET_ACCESS_KEY: AWS.secretAccessKey,
        BOUNCER_SYNC_SES_REGION: AWS.region,
        BOUNCER_SYNC_SES_BASE_URL: ses.url,
        BOUNCER_OUTBOUND_RETRY_BASE_MS: '1000',
      },
      clock: { now: () => Date.now() + offset },
    });
    await t.services.outbound.syncConfigSubscriptions();
  });
  afterAll(async () => {
    await t.close();
    await sg.close();
    await ses.close();
  });
  const inject = (method: 'POST' | 'DELETE' | 'GET', url: string, payload?: unknown) =>
    t.app.inject({ method, url, payload: payload as object | undefined, headers: auth() });
  const send = () => deliverAllDue(t);

  it('adds a manual suppression to SendGrid’s global unsubscribes and the SES account list (local servers implementing the documented APIs, SigV4 verified)', async () => {
    await inject('POST', '/v1/suppressions', { address: 'push@example.com', note: 'n' });
    await inject('POST', '/v1/suppressions', {
      address: 'complained@example.com',
      note: 'n',
      reason: 'spam_complaint',
    });
    await send();
    expect([...sg.global].sort()).toEqual(['complained@example.com', 'push@example.com']);
    expect(Object.fromEntries(ses.list)).toEqual({
      'push@example.com': 'BOUNCE',
      'complained@example.com': 'COMPLAINT',
    });
    expect(ses.badSignatures).toBe(0);
  });

  it('the local SES server refuses a request signed with other credentials (its SigV4 check is real)', async () => {
    const res = await pushToSes(
      { ...AWS, secretAccessKey: 'not-the-secret', baseUrl: ses.url },
      {
        type: 'suppression.added',
        at: 0,
        data: {
          address: 'x@example.com',
          channel: 'email',
          scope: '*',
          reason: 'manual',
          source: 'manual',
          until: null,
        },
      },
    );
    expect(res).toMatchObject({ ok: false, status: 403 });
    expect(ses.badSignatures).toBe(1);
    expect(ses.list.has('x@example.com')).toBe(false);
  });

  it('pushes a group-scoped suppression to the SendGrid unsubscribe group only', async () => {
    await inject('POST', '/v1/suppressions', {
      address: 'grp@example.com',
      note: 'n',
      scope: '42',
    });
    await send();
    expect([...(sg.groups.get('42') ?? [])]).toEqual(['grp@example.com']);
    expect(ses.list.has('grp@example.com')).toBe(false);
  });

  it('removes an address an operator lifted from both lists', async () => {
    sg.bounces.add('push@example.com');
    await inject('DELETE', '/v1/suppressions/push@example.com?note=lifted');
    await send();
    expect(sg.global.has('push@example.com')).toBe(false);
    expect(sg.bounces.has('push@example.com')).toBe(false);
    expect(ses.list.has('push@example.com')).toBe(false);
  });

  it('pushes neither cool-downs nor changes that came from the provider itself', async () => {
    await inject('POST', '/v1/suppressions', {
      address: 'temp@example.com',
      note: 'n',
      expires_at: new Date(Date.now() + offset + 3_600_000).toISOString(),
    });
    await t.app.inject({
      method: 'POST',
      url: '/v1/import?source=sync:sendgrid',
      payload: 'email,reason,source\nfromsg@example.com,hard_bounce,sync:sendgrid\n',
      headers: { ...auth(), 'content-type': 'text/csv' },
    });
    await send();
    expect(sg.global.has('temp@example.com')).toBe(false);
    expect(ses.list.has('temp@example.com')).toBe(false);
    expect(sg.global.has('fromsg@example.com')).toBe(false);
    expect(ses.list.get('fromsg@example.com')).toBe('BOUNCE');
  });

  it('waits out a 429 with X-RateLimit-Reset and a 5xx outage, then delivers: delayed, never lost', async () => {
    const resetAt = Math.ceil((Date.now() + offset) / 1_000) + 120;
    sg.failNext({ status: 429, headers: { 'x-ratelimit-reset': String(resetAt) } });
    ses.failNext({ status: 503 }, 2);
    await inject('POST', '/v1/suppressions', { address: 'later@example.com', note: 'n' });
    await send();
    expect(sg.global.has('later@example.com')).toBe(false);
    const pending = (await inject('GET', '/v1/outbound-deliveries?status=pending')).json().items;
    const sgRow = pending.find(
      (d: { subscription_id: string }) => d.subscription_id === 'sync:sendgrid',
    );
    expect(sgRow).toMatchObject({ last_status: 429, attempts: 1 });
    expect(Date.parse(sgRow.next_attempt_at)).toBeGreaterThanOrEqual(resetAt * 1_000 - 1_000);
    for (let i = 0; i < 4; i++) {
      offset += 10 * 60_000;
      await send();
    }
    expect(sg.global.has('later@example.com')).toBe(true);
    expect(ses.list.get('later@example.com')).toBe('BOUNCE');
    expect((await inject('GET', '/v1/outbound-deliveries?status=pending')).json().items).toEqual(
      [],
    );
  });

  it('pushes within moments on an idle server when the loop is woken by the commit', async () => {
    const loop = new OutboundLoop(
      t.services.outbound,
      { pollMs: 60_000, sweepMs: 60_000 },
      pino({ level: 'silent' }),
    );
    t.services.onOutbound(() => loop.nudge());
    loop.start();
    await new Promise((resolve) => loop.once('tick', resolve));
    const bad = ses.badSignatures;
    const started = performance.now();
    await inject('POST', '/v1/suppressions', { address: 'quick@example.com', note: 'n' });
    while (!(sg.global.has('quick@example.com') && ses.list.has('quick@example.com')))
      await new Promise((resolve) => setTimeout(resolve, 1));
    const ms = performance.now() - started;
    await loop.stop();
    console.log(`[push] ${dialect}: change → on the SendGrid and SES lists in ${ms.toFixed(1)} ms`);
    expect(ses.badSignatures).toBe(bad);
  });
});
