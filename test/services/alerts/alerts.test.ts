import { createHmac, timingSafeEqual } from 'node:crypto';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../helpers/dialects.js';
import { buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { startReceiver } from '../../helpers/receiver.js';
import { insertEvents } from '../../../src/storage/repositories/event.repository.js';
import { createServices } from '../../../src/services/container.js';
import type { NewEventRow } from '../../../src/storage/schema.js';

const T0 = Date.UTC(2026, 0, 20, 12, 0, 0);
const SECRET_BYTES = Buffer.from('0123456789abcdef0123456789abcdef');
const SECRET = `whsec_${SECRET_BYTES.toString('base64')}`;

let seq = 0;
function events(
  type: string,
  n: number,
  at: number,
  extra: Partial<NewEventRow> = {},
): NewEventRow[] {
  return Array.from({ length: n }, () => {
    seq++;
    return {
      id: `e${String(seq).padStart(12, '0')}`,
      provider: 'drip',
      dedup_key: `k${seq}`,
      type,
      channel: 'email',
      address: `user${seq}@example.com`,
      scope: '*',
      severity: null,
      reason: null,
      fine_reason: null,
      smtp_code: null,
      enhanced_status: null,
      diagnostic: null,
      error_code: null,
      provider_message_id: null,
      campaign: null,
      occurred_at: at,
      received_at: at,
      delivery_id: null,
      details: '{}',
      ...extra,
    };
  });
}

/** Verify a Standard Webhooks signature the way a receiver would (providers spec §4.1). */
function verifySignature(
  headers: Record<string, string | string[] | undefined>,
  body: string,
): boolean {
  const id = String(headers['webhook-id']);
  const ts = String(headers['webhook-timestamp']);
  const expected = Buffer.from(
    createHmac('sha256', SECRET_BYTES).update(`${id}.${ts}.${body}`).digest('base64'),
  );
  return String(headers['webhook-signature'])
    .split(' ')
    .some((sig) => {
      const [version, value] = sig.split(',');
      const got = Buffer.from(value ?? '');
      return version === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
    });
}

describe.each(testDialects())('alert rules on %s', (dialect) => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const clock = new FixedClock(T0);

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await buildTestApp(dialect, {
      clock,
      env: {
        BOUNCER_ALERT_SLACK_URL: `${receiver.url}/slack`,
        BOUNCER_ALERT_WEBHOOK_URL: `${receiver.url}/hook`,
        BOUNCER_ALERT_WEBHOOK_SECRET: SECRET,
        BOUNCER_ALERTS: JSON.stringify({
          deadDeliveries: { enabled: false },
          backlog: { enabled: false },
        }),
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });
  afterEach(() => {
    receiver.received.length = 0;
  });

  it('fires a critical bounce-rate alert once, notifies Slack and the signed webhook, and stays quiet while it holds', async () => {
    await insertEvents(t.tdb.db.kysely, [
      ...events('delivered', 170, T0 - 10 * 60_000),
      ...events('bounce', 30, T0 - 5 * 60_000),
    ]);
    const first = await t.services.alerts.evaluate();
    expect(first.map((x) => [x.rule, x.transition, x.severity])).toEqual([
      ['bounce_rate', 'firing', 'critical'],
    ]);
    expect(first[0]?.message).toContain('15 %');
    expect(await t.services.alerts.deliverNotifications()).toEqual({
      sent: 2,
      retrying: 0,
      dead: 0,
    });
    const slack = receiver.received.find((r) => r.path === '/slack');
    expect(JSON.parse(slack!.body)).toEqual({
      text: expect.stringContaining('[FIRING critical] Bouncer bounce_rate') as unknown,
    });
    const hook = receiver.received.find((r) => r.path === '/hook')!;
    expect(verifySignature(hook.headers, hook.body)).toBe(true);
    expect(hook.headers['webhook-timestamp']).toBe(String(T0 / 1_000));
    expect(JSON.parse(hook.body)).toMatchObject({
      type: 'alert.firing',
      data: { rule: 'bounce_rate', group: '*', severity: 'critical', threshold: 10 },
    });

    receiver.received.length = 0;
    clock.advance(30_000);
    expect(await t.services.alerts.evaluate()).toEqual([]);
    expect(await t.services.alerts.deliverNotifications()).toEqual({
      sent: 0,
      retrying: 0,
      dead: 0,
    });
    expect(receiver.received).toHaveLength(0);
  });

  it('keeps the firing state across a restart and never notifies twice from two instances', async () => {
    const restarted = createServices(t.config, t.tdb.db, clock, pino({ level: 'silent' }));
    const other = createServices(t.config, t.tdb.db, clock, pino({ level: 'silent' }));
    expect(await restarted.alerts.evaluate()).toEqual([]);
    // Both instances see the same change at once; only one may claim the transition.
    await insertEvents(t.tdb.db.kysely, events('delivered', 400, T0 - 60_000));
    clock.advance(30_000);
    const [a, b] = await Promise.all([restarted.alerts.evaluate(), other.alerts.evaluate()]);
    const all = [...a, ...b];
    expect(all.map((x) => [x.rule, x.transition])).toEqual([['bounce_rate', 'resolved']]);
    const list = await t.services.alerts.list();
    expect(list.firing).toEqual([]);
    expect(list.recent.map((r) => r.transition)).toEqual(['resolved', 'firing']);
    expect(await other.alerts.deliverNotifications()).toEqual({ sent: 2, retrying: 0, dead: 0 });
    expect(JSON.parse(receiver.received.find((r) => r.path === '/hook')!.body)).toMatchObject({
      type: 'alert.resolved',
    });
  });

  it('retries a failed notification with backoff until the receiver accepts it, with the same webhook-id', async () => {
    await insertEvents(t.tdb.db.kysely, events('complaint', 1, T0 + 50_000));
    clock.advance(30_000);
    const fired = await t.services.alerts.evaluate();
    expect(fired.map((x) => [x.rule, x.severity])).toEqual([['complaint_rate', 'warning']]);
    receiver.failNext(500, 2);
    expect(await t.services.alerts.deliverNotifications()).toEqual({
      sent: 0,
      retrying: 2,
      dead: 0,
    });
    expect(await t.services.alerts.deliverNotifications()).toEqual({
      sent: 0,
      retrying: 0,
      dead: 0,
    });
    clock.advance(30_000);
    expect(await t.services.alerts.deliverNotifications()).toEqual({
      sent: 2,
      retrying: 0,
      dead: 0,
    });
    const hooks = receiver.received.filter((r) => r.path === '/hook');
    expect(hooks).toHaveLength(2);
    expect(hooks[0]?.headers['webhook-id']).toBe(hooks[1]?.headers['webhook-id']);
    expect(hooks.every((h) => verifySignature(h.headers, h.body))).toBe(true);
  });

  it('does not judge a rate below the minimum volume', async () => {
    const quiet = createServices(
      {
        ...t.config,
        alerts: {
          ...t.config.alerts,
          rules: {
            ...t.config.alerts.rules,
            bounceRate: { ...t.config.alerts.rules.bounceRate, minVolume: 100_000 },
            complaintRate: { ...t.config.alerts.rules.complaintRate, enabled: false },
          },
        },
      },
      t.tdb.db,
      clock,
      pino({ level: 'silent' }),
    );
    const verdicts = await quiet.alerts.measure(clock.now());
    expect(verdicts.find((v) => v.rule === 'bounce_rate')).toMatchObject({
      firing: false,
      message: expect.stringContaining('minimum 100000') as unknown,
    });
  });

  it('judges each recipient domain and provider separately when grouped', async () => {
    await insertEvents(t.tdb.db.kysely, [
      ...events('delivered', 50, clock.now() - 60_000, { address: 'a@bad.example' }).map(
        (e, i) => ({ ...e, address: `a${i}@bad.example` }),
      ),
      ...events('bounce', 50, clock.now() - 60_000, { provider: 'sendgrid' }).map((e, i) => ({
        ...e,
        address: `b${i}@bad.example`,
      })),
      ...events('delivered', 100, clock.now() - 60_000).map((e, i) => ({
        ...e,
        address: `c${i}@good.example`,
      })),
    ]);
    const rules = t.config.alerts.rules;
    const grouped = (groupBy: 'domain' | 'provider') =>
      createServices(
        {
          ...t.config,
          alerts: {
            ...t.config.alerts,
            rules: {
              ...rules,
              complaintRate: { ...rules.complaintRate, enabled: false },
              suppressionSpike: { ...rules.suppressionSpike, enabled: false },
              bounceRate: { ...rules.bounceRate, minVolume: 10, groupBy },
            },
          },
        },
        t.tdb.db,
        clock,
        pino({ level: 'silent' }),
      );
    const byDomain = await grouped('domain').alerts.measure(clock.now());
    expect(byDomain.find((v) => v.group === 'domain=bad.example')).toMatchObject({
      rule: 'bounce_rate',
      firing: true,
      severity: 'critical',
      value: 50,
    });
    expect(byDomain.find((v) => v.group === 'domain=good.example')).toMatchObject({
      firing: false,
      value: 0,
    });
    const byProvider = await grouped('provider').alerts.measure(clock.now());
    expect(byProvider.find((v) => v.group === 'provider=sendgrid')).toMatchObject({
      firing: true,
      value: 100,
    });
  });
});
