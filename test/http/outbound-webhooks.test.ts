import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import pino from 'pino';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';
import { startReceiver } from '../helpers/receiver.js';
import { OutboundLoop } from '../../src/worker/outbound.js';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const HOUR = 3_600_000;
const realNow = Date.now.bind(Date);

interface Event {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

describe.each(testDialects())('signed change events (outbound webhooks) on %s', (dialect) => {
  let t: TestApp;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let offset = 0;
  const wh = new Webhook(SECRET);
  beforeAll(async () => {
    rx = await startReceiver();
    t = await buildTestApp(dialect, {
      env: {
        BOUNCER_OUTBOUND_WEBHOOKS: JSON.stringify([{ url: `${rx.url}/hook`, secret: SECRET }]),
        BOUNCER_OUTBOUND_ALLOW_PRIVATE: 'true',
        BOUNCER_OUTBOUND_RETRY_BASE_MS: '1000',
      },
      clock: { now: () => realNow() + offset },
    });
    await t.services.outbound.syncConfigSubscriptions();
    await t.services.outbound.sweepExpired();
  });
  afterAll(async () => {
    await t.close();
    await rx.close();
  });
  beforeEach(() => {
    rx.received.length = 0;
  });

  const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url, payload: payload as object | undefined, headers: auth() });
  /** What the worker's outbound loop does, until nothing is due. */
  const send = async () => {
    for (;;) {
      const r = await t.services.outbound.deliverDue();
      if (r.tried === 0 || r.delivered === 0) return;
    }
  };
  /** Every received request verified with the official standardwebhooks library. */
  const verified = (): Event[] =>
    rx.received.map((r) => {
      // Each message is verified as of when it arrived (the test's clock jumps hours ahead).
      const at = Number(r.headers['webhook-timestamp']) * 1_000 + 1_000;
      const spy = vi.spyOn(Date, 'now').mockReturnValue(at);
      try {
        return wh.verify(r.body, r.headers as Record<string, string>) as Event;
      } finally {
        spy.mockRestore();
      }
    });

  it('sends a manual suppression as a suppression.added event the standardwebhooks library verifies', async () => {
    const res = await inject('POST', '/v1/suppressions', {
      address: 'Manual@Example.com',
      note: 'asked by phone',
    });
    expect(res.statusCode).toBe(201);
    await send();
    expect(verified()).toEqual([
      {
        type: 'suppression.added',
        timestamp: expect.any(String),
        data: {
          address: 'manual@example.com',
          channel: 'email',
          scope: '*',
          reason: 'manual',
          source: 'manual',
          until: null,
        },
      },
    ]);
    expect(rx.received[0]!.path).toBe('/hook');
  });

  it('refuses a tampered body or another secret (the oracle is not vacuous)', async () => {
    await inject('POST', '/v1/suppressions', { address: 'tamper@example.com', note: 'n' });
    await send();
    const r = rx.received[0]!;
    const headers = r.headers as Record<string, string>;
    expect(() => wh.verify(r.body.replace('tamper', 'tampe2'), headers)).toThrow();
    const other = new Webhook(`whsec_${Buffer.from('x'.repeat(32)).toString('base64')}`);
    expect(() => other.verify(r.body, headers)).toThrow();
  });

  it('sends a bounce applied by the worker, and an unsuppression, in order for the address', async () => {
    const hook = await t.app.inject({
      method: 'POST',
      url: '/webhooks/bounce',
      payload: JSON.stringify({ email: 'hard@example.com', source: 'api', type: 'hard' }),
      headers: { 'content-type': 'application/json', ...auth() },
    });
    expect(hook.statusCode).toBe(202);
    await t.drain();
    // The receiver is down for the first attempt: the removal must wait behind the addition.
    rx.failNext(503);
    await inject('DELETE', '/v1/suppressions/hard@example.com?note=cleared');
    await send();
    expect(rx.received).toHaveLength(1);
    const log = (await inject('GET', '/v1/outbound-deliveries?status=pending')).json().items;
    expect(log.map((d: { event_type: string }) => d.event_type)).toEqual([
      'suppression.removed',
      'suppression.added',
    ]);
    expect(log[1]).toMatchObject({ attempts: 1, last_error: 'HTTP 503', last_status: 503 });
    offset += 60_000;
    await send();
    const events = verified();
    expect(events.map((e) => e.type)).toEqual([
      'suppression.added',
      'suppression.added',
      'suppression.removed',
    ]);
    expect(events[1]!.data).toMatchObject({
      address: 'hard@example.com',
      reason: 'hard_bounce',
      source: 'api',
    });
    expect(events[2]!.data).toMatchObject({ address: 'hard@example.com', source: 'manual' });
  });

  it('sends imported suppressions', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/import',
      payload: 'email,reason\nimp1@example.com,hard_bounce\nimp2@example.com,unsubscribe\n',
      headers: { ...auth(), 'content-type': 'text/csv' },
    });
    expect(res.statusCode).toBe(200);
    await send();
    expect(
      verified()
        .map((e) => `${e.type} ${String(e.data.address)} ${String(e.data.reason)}`)
        .sort(),
    ).toEqual([
      'suppression.added imp1@example.com hard_bounce',
      'suppression.added imp2@example.com unsubscribe',
    ]);
  });

  it('emits suppression.expired once when a cool-down ends', async () => {
    const until = Date.now() + offset + HOUR;
    await inject('POST', '/v1/suppressions', {
      address: 'cool@example.com',
      note: 'pause',
      expires_at: new Date(until).toISOString(),
    });
    await send();
    offset += 2 * HOUR;
    expect(await t.services.outbound.sweepExpired()).toBe(1);
    expect(await t.services.outbound.sweepExpired()).toBe(0);
    await send();
    const events = verified();
    expect(events.map((e) => e.type)).toEqual(['suppression.added', 'suppression.expired']);
    expect(events[1]!.data).toMatchObject({
      address: 'cool@example.com',
      until: new Date(until).toISOString(),
    });
  });

  it('retries with backoff after a 429, gives up after the 24 h window, counts in the dead-delivery alert, and replays', async () => {
    rx.failNext(429);
    await inject('POST', '/v1/suppressions', { address: 'retry@example.com', note: 'n' });
    await send();
    let [d] = (await inject('GET', '/v1/outbound-deliveries?status=pending')).json().items;
    expect(d).toMatchObject({ attempts: 1, last_status: 429 });
    rx.failNext(500);
    // Past the 24 h window the next failure is final.
    offset += 25 * HOUR;
    await send();
    [d] = (await inject('GET', '/v1/outbound-deliveries?status=dead')).json().items;
    expect(d).toMatchObject({ status: 'dead', attempts: 2, last_error: 'HTTP 500' });
    const alerts = await t.services.alerts.measure(Date.now() + offset);
    expect(alerts.find((a) => a.rule === 'dead_deliveries')).toMatchObject({ firing: true });
    const replay = await inject('POST', '/v1/outbound-deliveries/replay', { status: 'dead' });
    expect(replay.json()).toEqual({ requeued: 1 });
    await send();
    expect(verified().map((e) => e.data.address)).toEqual([
      'retry@example.com',
      'retry@example.com',
      'retry@example.com',
    ]);
    expect((await inject('GET', `/v1/outbound-deliveries?status=dead`)).json().items).toEqual([]);
  });

  it('keeps subscription secrets to the creation answer, and refuses unsafe URLs', async () => {
    const created = await inject('POST', '/v1/outbound-webhooks', {
      url: `${rx.url}/api-hook`,
      events: ['suppression.removed'],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().secret).toMatch(/^whsec_/);
    const list = (await inject('GET', '/v1/outbound-webhooks')).json().items;
    expect(list).toHaveLength(2);
    for (const s of list) expect(s).not.toHaveProperty('secret');
    const ftp = await inject('POST', '/v1/outbound-webhooks', { url: 'ftp://example.com/' });
    expect(ftp.statusCode).toBe(400);
    const del = await inject('DELETE', `/v1/outbound-webhooks/${created.json().id}`);
    expect(del.statusCode).toBe(204);
    const cfg = list.find((s: { origin: string }) => s.origin === 'config');
    expect((await inject('DELETE', `/v1/outbound-webhooks/${cfg.id}`)).statusCode).toBe(400);
  });

  it('delivers within moments on an idle server when the loop is woken by the commit', async () => {
    const loop = new OutboundLoop(
      t.services.outbound,
      { pollMs: 60_000, sweepMs: 60_000 },
      pino({ level: 'silent' }),
    );
    t.services.onOutbound(() => loop.nudge());
    loop.start();
    await new Promise((resolve) => loop.once('tick', resolve));
    rx.received.length = 0;
    const started = performance.now();
    await inject('POST', '/v1/suppressions', { address: 'fast@example.com', note: 'n' });
    while (rx.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const ms = performance.now() - started;
    await loop.stop();
    console.log(
      `[outbound] ${dialect}: change → verified event at the subscriber in ${ms.toFixed(1)} ms`,
    );
    expect(verified()[0]!.data.address).toBe('fast@example.com');
  });
});
