import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BouncerClient, BouncerError, backoffMs } from '../../src/client/index.js';
import { testDialects } from '../helpers/dialects.js';
import { ADMIN_KEY, buildTestApp, type TestApp } from '../helpers/app.js';
import { storeEvents } from '../helpers/events.js';
import { closedPort, listen, rawServer } from './server.js';

const caught = async (p: Promise<unknown>): Promise<BouncerError> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof BouncerError) return err;
    throw err;
  }
  throw new Error('expected a BouncerError');
};

describe.each(testDialects())('the TypeScript client against the real app on %s', (dialect) => {
  let t: TestApp;
  let baseUrl: string;
  let client: BouncerClient;
  let reader: BouncerClient;
  let calls = 0;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    baseUrl = await listen(t);
    const counting: typeof fetch = (input, init) => {
      calls += 1;
      return fetch(input, init);
    };
    client = new BouncerClient({ baseUrl, apiKey: ADMIN_KEY, fetch: counting, retryBaseMs: 1 });
    reader = new BouncerClient({
      baseUrl: `${baseUrl}/`,
      apiKey: (await t.services.apiKeys.create('reader', 'read')).key,
    });
  });
  afterAll(async () => t.close());

  it('suppresses, checks, reads the status and unsuppresses an address', async () => {
    const entry = await client.suppress({
      address: 'Jane@Example.com',
      note: 'asked by phone',
      reason: 'spam_complaint',
    });
    expect(entry).toMatchObject({
      address: 'jane@example.com',
      reason: 'spam_complaint',
      scope: '*',
      source: 'manual',
    });
    const r = await reader.check(['jane@example.com', 'joe@example.com', 'not-an-address'], {
      purpose: 'marketing',
    });
    expect(r.allowed).toEqual(['joe@example.com']);
    expect(r.suppressed).toMatchObject([
      { input: 'jane@example.com', reason: 'spam_complaint', until: null },
    ]);
    expect(r.invalid).toMatchObject([{ input: 'not-an-address' }]);
    expect(await reader.status('jane@example.com')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'spam_complaint' }],
    });
    const removed = await client.unsuppress('jane@example.com', { note: 'resolved' });
    expect(removed.removed).toMatchObject([{ address: 'jane@example.com' }]);
    expect((await reader.status('jane@example.com')).suppressed).toBe(false);
  });

  it('sends lists longer than the server limit in several check requests', async () => {
    await client.suppress({ address: 'last@example.com', note: 'test' });
    const list = Array.from({ length: 10_000 }, (_, i) => `r${i}@example.com`).concat(
      'last@example.com',
    );
    const before = calls;
    const r = await client.check(list);
    expect(calls - before).toBe(2);
    expect(r.allowed).toHaveLength(10_000);
    expect(r.suppressed.map((s) => s.address)).toEqual(['last@example.com']);
  });

  it('reads the history of an address, a message timeline and stats', async () => {
    const at = Date.parse('2026-11-01T10:00:00Z');
    await storeEvents(t.tdb.db, [
      {
        type: 'delivered',
        address: 'hist@example.com',
        occurred_at: at,
        provider_message_id: 'm-42',
      },
      {
        type: 'bounce',
        reason: 'hard_bounce',
        severity: 'hard',
        address: 'hist@example.com',
        occurred_at: at + 1_000,
        provider_message_id: 'm-42',
      },
      { type: 'open', address: 'other@example.com', occurred_at: at + 2_000 },
    ]);
    const page = await reader.history('Hist@example.com', { limit: 1 });
    expect(page.events.map((e) => e.type)).toEqual(['bounce']);
    expect(page.next_cursor).not.toBeNull();
    const all: string[] = [];
    for await (const e of reader.allHistory('hist@example.com', { pageSize: 1 })) all.push(e.type);
    expect(all).toEqual(['bounce', 'delivered']);
    const m = await reader.message('m-42');
    expect(m.recipients).toEqual([
      {
        channel: 'email',
        address: 'hist@example.com',
        status: 'bounce',
        last_event_at: '2026-11-01T10:00:01.000Z',
      },
    ]);
    const s = await reader.stats({
      from: new Date(at - 3_600_000),
      to: '2026-11-02T00:00:00Z',
      interval: 'hour',
    });
    expect(s.overall).toMatchObject({
      delivered: 1,
      bounced: 1,
      bounced_hard: 1,
      opened: 1,
      bounce_rate: 50,
    });
  });

  it("throws typed errors with the server's status, code and message, and never retries a 4xx", async () => {
    const before = calls;
    const notFound = await caught(client.message('nope'));
    expect(notFound).toMatchObject({
      status: 404,
      code: 'BOUNCER_ERR_NOT_FOUND',
      attempts: 1,
      retryable: false,
    });
    const invalid = await caught(client.stats({ interval: 'week' as 'day' }));
    expect(invalid).toMatchObject({
      status: 400,
      code: 'BOUNCER_ERR_VALIDATION',
      message: 'interval: must be one of hour, day',
    });
    expect(calls - before).toBe(2);
    const unauthorized = await caught(
      new BouncerClient({ baseUrl, apiKey: 'wrong-key-0123456789' }).check(['a@example.com']),
    );
    expect(unauthorized).toMatchObject({
      status: 401,
      code: 'BOUNCER_ERR_UNAUTHORIZED',
      message: 'Authentication required',
    });
    const forbidden = await caught(reader.suppress({ address: 'x@example.com', note: 'n' }));
    expect(forbidden).toMatchObject({ status: 403, code: 'BOUNCER_ERR_FORBIDDEN' });
  });
});

describe('client retries, timeouts and network errors', () => {
  it('retries a 5xx with backoff and succeeds when the server recovers', async () => {
    let n = 0;
    const s = await rawServer((_req, res) => {
      n += 1;
      res.writeHead(n <= 2 ? 503 : 200, { 'content-type': 'application/json' });
      res.end(
        n <= 2
          ? JSON.stringify({
              error: {
                code: 'BOUNCER_ERR_UNAVAILABLE',
                message: 'The service is temporarily unavailable',
              },
            })
          : JSON.stringify({ allowed: ['a@example.com'], suppressed: [], invalid: [] }),
      );
    });
    try {
      const c = new BouncerClient({ baseUrl: s.url, apiKey: 'k', retries: 2, retryBaseMs: 5 });
      expect((await c.check(['a@example.com'])).allowed).toEqual(['a@example.com']);
      expect(n).toBe(3);
    } finally {
      await s.close();
    }
  });

  it("gives up after the configured retries with the server's error", async () => {
    let n = 0;
    const s = await rawServer((_req, res) => {
      n += 1;
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
    });
    try {
      const err = await caught(
        new BouncerClient({ baseUrl: s.url, apiKey: 'k', retries: 3, retryBaseMs: 1 }).status(
          'a@example.com',
        ),
      );
      expect(err).toMatchObject({
        status: 502,
        code: 'BOUNCER_CLIENT_HTTP',
        message: 'HTTP 502 Bad Gateway',
        attempts: 4,
        retryable: true,
      });
      expect(n).toBe(4);
    } finally {
      await s.close();
    }
  });

  it('reports an unreachable server as a network error after retrying', async () => {
    const err = await caught(
      new BouncerClient({
        baseUrl: await closedPort(),
        apiKey: 'k',
        retries: 1,
        retryBaseMs: 1,
      }).check(['a@example.com']),
    );
    expect(err).toMatchObject({ status: null, code: 'BOUNCER_CLIENT_NETWORK', attempts: 2 });
    expect(err.message).toMatch(/^Bouncer is unreachable: .*ECONNREFUSED/);
  });

  it('times out a silent server, and stops at once when the caller aborts', async () => {
    const s = await rawServer(() => undefined);
    try {
      const err = await caught(
        new BouncerClient({
          baseUrl: s.url,
          apiKey: 'k',
          timeoutMs: 100,
          retries: 1,
          retryBaseMs: 1,
        }).check(['a@example.com']),
      );
      expect(err).toMatchObject({
        code: 'BOUNCER_CLIENT_TIMEOUT',
        message: 'No answer within 100 ms',
        attempts: 2,
      });
      const ac = new AbortController();
      const pending = caught(
        new BouncerClient({ baseUrl: s.url, apiKey: 'k', timeoutMs: 10_000 }).check(
          ['a@example.com'],
          { signal: ac.signal },
        ),
      );
      ac.abort();
      expect(await pending).toMatchObject({ code: 'BOUNCER_CLIENT_ABORTED', attempts: 1 });
    } finally {
      await s.close();
    }
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(0, 200, 5_000, () => 0)).toBe(100);
    expect(backoffMs(0, 200, 5_000, () => 1)).toBe(200);
    expect(backoffMs(3, 200, 5_000, () => 0.5)).toBe(1_200);
    expect(backoffMs(10, 200, 5_000, () => 1)).toBe(5_000);
  });
});
