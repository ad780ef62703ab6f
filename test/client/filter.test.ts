import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BouncerClient, BouncerError, type FilterSummary } from '../../src/client/index.js';
import { testDialects } from '../helpers/dialects.js';
import { ADMIN_KEY, buildTestApp, type TestApp } from '../helpers/app.js';
import { listen, rawServer } from './server.js';

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

describe.each(testDialects())('client.filter against POST /v1/filter on %s', (dialect) => {
  let t: TestApp;
  let client: BouncerClient;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    client = new BouncerClient({ baseUrl: await listen(t), apiKey: ADMIN_KEY });
    const by = { actor: 'test', note: 'fixture' };
    await t.services.suppressions.suppress({
      ...by,
      address: 'hard@example.com',
      reason: 'hard_bounce',
    });
    await t.services.suppressions.suppress({
      ...by,
      address: 'unsub@example.com',
      reason: 'unsubscribe',
    });
  });
  afterAll(async () => t.close());

  it('filters strings from an array: only the allowed ones come back, in order, with the summary', async () => {
    const answer = client.filter([
      'a@example.com',
      'hard@example.com',
      'b@example.com',
      'nope',
      'unsub@example.com',
    ]);
    expect(await collect(answer)).toEqual(['a@example.com', 'b@example.com']);
    expect(await answer.summary).toEqual({
      total: 5,
      allowed: 2,
      suppressed: 2,
      invalid: 1,
      by_reason: { hard_bounce: 1, unsubscribe: 1 },
    });
  });

  it('passes objects through untouched and honours purpose and a custom field', async () => {
    const rows = [
      { email: 'unsub@example.com', name: 'Uma', id: 1 },
      { email: 'hard@example.com', name: 'Hal', id: 2 },
      { email: 'c@example.com', name: 'Cy', id: 3 },
    ];
    const transactional = client.filter(rows, { field: 'email', purpose: 'transactional' });
    expect(await collect(transactional)).toEqual([rows[0], rows[2]]);
    expect((await transactional.summary).allowed).toBe(2);
  });

  it('annotates every row with includeSuppressed', async () => {
    const rows = await collect(
      client.filter(['hard@example.com', 'd@example.com'], { includeSuppressed: true }),
    );
    expect(rows).toEqual([
      {
        address: 'hard@example.com',
        bouncer: { status: 'suppressed', reason: 'hard_bounce', scope: '*' },
      },
      { address: 'd@example.com', bouncer: { status: 'allowed' } },
    ]);
  });

  it('streams a long async input with the answer read while it is sent', async () => {
    const N = 50_000;
    async function* recipients(): AsyncGenerator<{ address: string; n: number }> {
      for (let i = 0; i < N; i++)
        yield { address: i % 1_000 === 0 ? 'hard@example.com' : `user${i}@example.com`, n: i };
    }
    const answer = client.filter(recipients());
    let count = 0;
    let lastN = -1;
    for await (const row of answer) {
      expect(row.n).toBeGreaterThan(lastN);
      lastN = row.n;
      count += 1;
    }
    expect(count).toBe(N - N / 1_000);
    const summary: FilterSummary = await answer.summary;
    expect(summary).toMatchObject({
      total: N,
      suppressed: N / 1_000,
      by_reason: { hard_bounce: N / 1_000 },
    });
  });

  it('rejects the summary when the caller stops early, and refuses a second iteration', async () => {
    const answer = client.filter(['a@example.com', 'b@example.com', 'c@example.com']);
    for await (const _row of answer) break;
    await expect(answer.summary).rejects.toMatchObject({ code: 'BOUNCER_CLIENT_ABORTED' });
    expect(() => answer[Symbol.asyncIterator]()).toThrow(/only once/);
  });

  it("throws the server's 4xx without retrying", async () => {
    const answer = client.filter(['a@example.com'], { purpose: 'bulk' as 'marketing' });
    const err = await collect(answer).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BouncerError);
    expect(err).toMatchObject({ status: 400, code: 'BOUNCER_ERR_VALIDATION', attempts: 1 });
    await expect(answer.summary).rejects.toBe(err);
  });
});

describe('client.filter retries', () => {
  it('retries a 5xx for a replayable input, and not for a generator it has already read from', async () => {
    let n = 0;
    const s = await rawServer((req, res) => {
      n += 1;
      req.resume();
      req.on('end', () => {
        if (n === 1)
          res
            .writeHead(503, { 'content-type': 'application/json' })
            .end('{"error":{"code":"BOUNCER_ERR_UNAVAILABLE","message":"busy"}}');
        else
          res
            .writeHead(200, { 'content-type': 'application/x-ndjson' })
            .end(
              '"a@example.com"\n{"summary":{"total":1,"allowed":1,"suppressed":0,"invalid":0,"by_reason":{}}}\n',
            );
      });
    });
    try {
      const c = new BouncerClient({ baseUrl: s.url, apiKey: 'k', retries: 2, retryBaseMs: 1 });
      expect(await collect(c.filter(['a@example.com']))).toEqual(['a@example.com']);
      expect(n).toBe(2);
      n = 0;
      function* once(): Generator<string> {
        yield 'a@example.com';
      }
      const err = await collect(c.filter(once())).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 503, code: 'BOUNCER_ERR_UNAVAILABLE', attempts: 1 });
      expect(n).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('fails with a protocol error when the answer ends without its summary', async () => {
    const s = await rawServer((req, res) => {
      req.resume();
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end('"a@example.com"\n'),
      );
    });
    try {
      const answer = new BouncerClient({ baseUrl: s.url, apiKey: 'k' }).filter(['a@example.com']);
      const err = await collect(answer).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'BOUNCER_CLIENT_PROTOCOL' });
    } finally {
      await s.close();
    }
  });
});
