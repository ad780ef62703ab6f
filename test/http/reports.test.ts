import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, FixedClock, type TestApp } from '../helpers/app.js';
import { storeEvents } from '../helpers/events.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');

describe.each(testDialects())('message timelines and stats on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock: new FixedClock(T0 + 3 * DAY) });
    const bounce = { type: 'bounce', reason: 'hard_bounce', severity: 'hard' };
    await storeEvents(t.tdb.db, [
      // One message to two recipients, reported by two providers.
      {
        type: 'processed',
        occurred_at: T0 + 10 * HOUR,
        provider_message_id: 'msg-1',
        campaign: 'nov',
      },
      {
        type: 'delivered',
        occurred_at: T0 + 10 * HOUR + 5_000,
        provider_message_id: 'msg-1',
        campaign: 'nov',
      },
      { type: 'open', occurred_at: T0 + 11 * HOUR, provider_message_id: 'msg-1', campaign: 'nov' },
      {
        type: 'complaint',
        reason: 'spam_complaint',
        occurred_at: T0 + 12 * HOUR,
        provider_message_id: 'msg-1',
        provider: 'ses',
        campaign: 'nov',
      },
      {
        type: 'deferred',
        address: 'joe@example.com',
        occurred_at: T0 + 10 * HOUR + 1_000,
        provider_message_id: 'msg-1',
      },
      {
        ...bounce,
        address: 'joe@example.com',
        occurred_at: T0 + 13 * HOUR,
        provider_message_id: 'msg-1',
      },
      // Day 0: 3 delivered, 1 hard bounce (above), 1 complaint (above) + the delivered above.
      { type: 'delivered', occurred_at: T0 + 1 * HOUR, campaign: 'nov' },
      { type: 'delivered', occurred_at: T0 + 1 * HOUR, provider: 'ses' },
      // Day 1: soft bounce, unsubscribe, click, an SMS failure (not counted).
      { type: 'delivered', occurred_at: T0 + DAY + HOUR, provider: 'ses' },
      {
        type: 'bounce',
        reason: 'soft_bounce',
        severity: 'soft',
        occurred_at: T0 + DAY + 2 * HOUR,
        provider: 'ses',
      },
      { type: 'unsubscribe', reason: 'unsubscribe', occurred_at: T0 + DAY + 3 * HOUR },
      { type: 'click', occurred_at: T0 + DAY + 3 * HOUR },
      {
        type: 'sms_failure',
        channel: 'sms',
        address: '+15551234567',
        occurred_at: T0 + DAY + 3 * HOUR,
        provider: 'twilio',
      },
      // Outside the default range's end (to = now = T0 + 3 days).
      { type: 'delivered', occurred_at: T0 + 3 * DAY + HOUR },
    ]);
  });
  afterAll(async () => t.close());

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: auth() });

  it("answers the timeline of a message across providers, oldest first, with each recipient's outcome", async () => {
    const res = await get('/v1/messages/msg-1');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      provider_message_id: 'msg-1',
      providers: ['sendgrid', 'ses'],
      campaign: 'nov',
      truncated: false,
      first_event_at: '2026-11-01T10:00:00.000Z',
      last_event_at: '2026-11-01T13:00:00.000Z',
    });
    expect(body.events.map((e: { type: string }) => e.type)).toEqual([
      'processed',
      'deferred',
      'delivered',
      'open',
      'complaint',
      'bounce',
    ]);
    expect(body.recipients).toEqual([
      {
        channel: 'email',
        address: 'jane@example.com',
        status: 'complaint',
        last_event_at: '2026-11-01T12:00:00.000Z',
      },
      {
        channel: 'email',
        address: 'joe@example.com',
        status: 'bounce',
        last_event_at: '2026-11-01T13:00:00.000Z',
      },
    ]);
  });

  it('answers 404 for a message id it has no events for', async () => {
    const res = await get('/v1/messages/unknown-id');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('BOUNCER_ERR_NOT_FOUND');
  });

  it('counts per UTC day with bounce rate = bounced / (delivered + bounced) and complaint rate = complained / delivered', async () => {
    const res = await get(`/v1/stats?from=${new Date(T0).toISOString()}&interval=day`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-04T00:00:00.000Z',
      interval: 'day',
      by: null,
    });
    expect(body.buckets.map((b: { start: string }) => b.start)).toEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-11-02T00:00:00.000Z',
      '2026-11-03T00:00:00.000Z',
    ]);
    expect(body.buckets[0].groups['*']).toMatchObject({
      processed: 1,
      delivered: 3,
      deferred: 1,
      bounced: 1,
      bounced_hard: 1,
      bounced_soft: 0,
      complained: 1,
      opened: 1,
      bounce_rate: 25,
      complaint_rate: 33.333,
    });
    expect(body.buckets[1].groups['*']).toMatchObject({
      delivered: 1,
      bounced: 1,
      bounced_soft: 1,
      unsubscribed: 1,
      clicked: 1,
      bounce_rate: 50,
      complaint_rate: 0,
    });
    expect(body.buckets[2].groups).toEqual({});
    expect(body.overall).toMatchObject({
      delivered: 4,
      bounced: 2,
      complained: 1,
      bounce_rate: 33.333,
      complaint_rate: 25,
    });
  });

  it('breaks the counts down by provider, campaign or reason', async () => {
    const from = new Date(T0).toISOString();
    const byProvider = (await get(`/v1/stats?from=${from}&by=provider`)).json();
    expect(byProvider.totals.ses).toMatchObject({
      delivered: 2,
      bounced: 1,
      complained: 1,
      bounce_rate: 33.333,
      complaint_rate: 50,
    });
    expect(byProvider.totals.sendgrid).toMatchObject({ delivered: 2, bounced: 1, complained: 0 });
    expect(byProvider.totals.twilio).toBeUndefined(); // SMS failures are not delivery counters
    const byCampaign = (await get(`/v1/stats?from=${from}&by=campaign`)).json();
    expect(byCampaign.totals.nov).toMatchObject({
      processed: 1,
      delivered: 2,
      complained: 1,
      opened: 1,
    });
    expect(byCampaign.totals['']).toMatchObject({ delivered: 2, bounced: 2 });
    const byReason = (await get(`/v1/stats?from=${from}&by=reason`)).json();
    // Reason groups share the denominator of the whole range: 2 of 6 sends bounced, 1 of them hard.
    expect(byReason.totals.hard_bounce).toMatchObject({ bounced: 1, bounce_rate: 16.667 });
    expect(byReason.totals.spam_complaint).toMatchObject({ complained: 1, complaint_rate: 25 });
  });

  it('buckets by UTC hour', async () => {
    const res = await get(
      `/v1/stats?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 12 * HOUR).toISOString()}&interval=hour`,
    );
    const body = res.json();
    expect(body.buckets).toHaveLength(12);
    expect(body.buckets[1].groups['*'].delivered).toBe(2);
    expect(body.buckets[10].groups['*']).toMatchObject({ processed: 1, delivered: 1, deferred: 1 });
    expect(body.overall.complained).toBe(0);
  });

  it('answers 400 naming the parameter for a bad interval, grouping or range', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/v1/stats?interval=week', /^interval: must be one of hour, day/],
      ['/v1/stats?by=domain', /^by: must be one of provider, campaign, reason/],
      ['/v1/stats?from=yesterday', /^from: must be an ISO-8601 time/],
      [`/v1/stats?from=${T0 + DAY}&to=${T0}`, /^from: must be before to/],
      [
        '/v1/stats?from=2020-01-01&interval=hour',
        /^from: the range holds \d+ hour buckets; at most 1000/,
      ],
    ];
    for (const [url, message] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message).toMatch(message);
    }
  });

  it('describes both routes in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, unknown>;
    }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/stats', '/v1/messages/{providerMessageId}']),
    );
  });

  it('keeps the dashboard overview on the same definitions', async () => {
    const res = await get('/v1/dashboard/overview?days=4');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.eventsPerDay.days[0]).toBe('2026-11-01');
    expect(body.eventsPerDay.series.delivered).toEqual([3, 1, 0, 1]); // today included
    expect(body.eventsPerDay.series.bounce).toEqual([1, 1, 0, 0]);
    // Below the alert rule's minimum volume (100 sends) the overview leaves the rate out.
    expect(body.rates.bounce).toEqual([null, null, null, null]);
  });
});
