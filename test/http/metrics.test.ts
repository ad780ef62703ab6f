import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, DRIP_SECRET, type TestApp } from '../helpers/app.js';
import { Metrics } from '../../src/services/reporting/metrics.js';

const METRICS_TOKEN = 'metrics-token-0123456789';
const sign = (body: string): string => createHmac('sha256', DRIP_SECRET).update(body).digest('hex');
const bounce = (email: string): string =>
  JSON.stringify({
    event: 'subscriber.bounced',
    data: {
      email,
      bounce_type: 'hard',
      bounce_reason: 'no such user',
      occurred_at: '2026-01-20T14:32:15Z',
    },
  });

/** The value of one sample line, e.g. `bouncer_events_total{type="bounce",provider="drip"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(testDialects())('GET /metrics on %s', (dialect) => {
  let t: TestApp;
  let metrics: Metrics;
  beforeAll(async () => {
    metrics = new Metrics();
    t = await buildTestApp(dialect, { services: { metrics } });
  });
  afterAll(async () => t.close());

  const post = (body: string, signature: string) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/drip/bounce',
      payload: body,
      headers: { 'content-type': 'application/json', 'x-drip-signature': signature },
    });

  it('counts webhooks by outcome, events, suppression changes, lag, backlog and check latency', async () => {
    expect((await post(bounce('a@example.com'), sign(bounce('a@example.com')))).statusCode).toBe(
      201,
    );
    expect((await post(bounce('b@example.com'), 'bad')).statusCode).toBe(401);
    const before = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(sample(before, 'bouncer_backlog_pending')).toBe(1);
    for (const report of await t.drain()) metrics.batch(report, t.clock.now());
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/check',
          headers: auth(),
          payload: { recipients: ['a@example.com'] },
        })
      ).statusCode,
    ).toBe(200);

    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(sample(text, 'bouncer_webhook_requests_total{provider="drip",outcome="accepted"}')).toBe(
      1,
    );
    expect(sample(text, 'bouncer_webhook_requests_total{provider="drip",outcome="rejected"}')).toBe(
      1,
    );
    expect(sample(text, 'bouncer_events_total{type="bounce",provider="drip"}')).toBe(1);
    expect(
      sample(text, 'bouncer_suppression_changes_total{reason="hard_bounce",kind="created"}'),
    ).toBe(1);
    expect(sample(text, 'bouncer_processing_lag_seconds_count')).toBe(1);
    expect(sample(text, 'bouncer_deliveries_processed_total{status="done"}')).toBe(1);
    expect(sample(text, 'bouncer_backlog_pending')).toBe(0);
    expect(sample(text, 'bouncer_dead_deliveries')).toBe(0);
    expect(
      sample(text, 'bouncer_api_request_duration_seconds_count{route="/v1/check",status="200"}'),
    ).toBe(1);
    // The accepted webhook's delivery went through one group commit (the rejected one stored nothing).
    expect(sample(text, 'bouncer_delivery_commit_seconds_count')).toBe(1);
    expect(sample(text, 'bouncer_delivery_commit_rows_total')).toBe(1);
    expect(sample(text, 'bouncer_delivery_commit_seconds_sum')).toBeGreaterThan(0);
    expect(text).toContain('bouncer_process_resident_memory_bytes');
  });
});

describe('GET /metrics with BOUNCER_METRICS_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('sqlite', {
      env: { BOUNCER_METRICS_TOKEN: METRICS_TOKEN },
      services: { metrics: new Metrics({ defaultMetrics: false }) },
    });
  });
  afterAll(async () => t.close());

  it('answers the uniform 401 without the token and the metrics with it', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }]) {
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        error: { code: 'BOUNCER_ERR_UNAUTHORIZED', message: 'Authentication required' },
      });
    }
    const ok = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('bouncer_webhook_requests_total');
  });
});

describe('GET /metrics while the database is down', () => {
  it('still answers, with the backlog gauges NaN', async () => {
    const t = await buildTestApp('sqlite', {
      services: { metrics: new Metrics({ defaultMetrics: false }) },
    });
    try {
      await t.tdb.db.close();
      const res = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(sample(res.body, 'bouncer_backlog_pending')).toBeNaN();
      expect(res.body).toContain('bouncer_webhook_requests_total');
    } finally {
      await t.app.close();
      await t.tdb.cleanup().catch(() => undefined);
    }
  });
});
