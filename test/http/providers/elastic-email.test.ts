import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/http/app.js';
import { createServices } from '../../../src/services/container.js';
import { buildTestApp, FixedClock, testConfig, type TestApp } from '../../helpers/app.js';
import { createTestDatabase } from '../../helpers/db.js';
import { testDialects } from '../../helpers/dialects.js';
import { countEvents, expectUnauthorized, suppressionOf } from '../../helpers/provider-http.js';

const TOKEN = 'elastic-token-0123456789abcdef';
const url = (query: Record<string, string>, token = TOKEN) =>
  `/webhooks/elastic-email/${token}?${new URLSearchParams(query).toString()}`;

describe.each(testDialects())('GET /webhooks/elastic-email/:token on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock: new FixedClock(Date.parse('2026-01-02T00:00:00Z')),
      env: { BOUNCER_ELASTIC_EMAIL_TOKENS: TOKEN },
    });
  });
  afterAll(async () => t.close());
  const get = (u: string) => t.app.inject({ method: 'GET', url: u });

  it('suppresses NoMailbox, AbuseReport and Unsubscribed, once however often repeated, answering 200', async () => {
    const bounce = url({
      to: 'gone@example.com',
      status: 'Error',
      category: 'NoMailbox',
      messageid: 'm1',
      date: '2026-01-01T10:00:00Z',
    });
    for (const u of [
      bounce,
      bounce,
      url({ to: 'abuse@example.com', status: 'AbuseReport', messageid: 'm2' }),
      url({ to: 'bye@example.com', status: 'Unsubscribed', messageid: 'm3' }),
    ]) {
      const res = await get(u);
      expect(res.statusCode).toBe(200);
    }
    await t.drain();
    expect((await suppressionOf(t, 'gone@example.com')).entries).toMatchObject([
      { reason: 'hard_bounce', source: 'elastic-email' },
    ]);
    expect((await suppressionOf(t, 'abuse@example.com')).entries).toMatchObject([
      { reason: 'spam_complaint' },
    ]);
    expect((await suppressionOf(t, 'bye@example.com')).entries).toMatchObject([
      { reason: 'unsubscribe' },
    ]);
    expect(await countEvents(t, 'elastic-email', 'gone@example.com')).toBe(1);
  });

  it('answers 200 to what it cannot use and to sender-side errors, suppressing nobody', async () => {
    expect((await get(url({ status: 'Error' }))).statusCode).toBe(200);
    expect(
      (await get(url({ to: 'blocked@example.com', status: 'Error', category: 'BlackListed' })))
        .statusCode,
    ).toBe(200);
    await t.drain();
    expect((await suppressionOf(t, 'blocked@example.com')).suppressed).toBe(false);
  });

  it('keeps a POST (the undocumented newer format) for inspection, answering 200', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: url({}),
      payload: '{"event":"x"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'stored_unparseable' });
  });

  it('refuses a wrong token with the uniform 401', async () => {
    expectUnauthorized(
      await get(
        url({ to: 'x@example.com', status: 'AbuseReport' }, 'elastic-wrong-token-012345678'),
      ),
    );
  });
});

describe('Elastic Email tokens stay out of the logs', () => {
  it('logs no URL token, even at trace level, for accepted and refused requests', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _e, done) => void (lines.push(chunk.toString()), done()),
    });
    const tdb = await createTestDatabase('sqlite');
    const config = testConfig({ BOUNCER_ELASTIC_EMAIL_TOKENS: TOKEN }, tdb.url);
    const services = createServices(
      config,
      tdb.db,
      { now: () => Date.now() },
      pino({ level: 'trace' }, sink),
    );
    const app = await buildApp(services);
    try {
      const ok = await app.inject({
        method: 'GET',
        url: url({ to: 'a@example.com', status: 'Sent' }),
      });
      expect(ok.statusCode).toBe(200);
      const bad = await app.inject({
        method: 'GET',
        url: url({ to: 'a@example.com', status: 'Sent' }, `${TOKEN}x`),
      });
      expect(bad.statusCode).toBe(401);
      await services.writer.flushed();
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('')).not.toContain(TOKEN);
      expect(lines.join('')).not.toContain('a@example.com');
    } finally {
      await app.close();
      await tdb.cleanup();
    }
  });
});
