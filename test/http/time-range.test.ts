import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';

describe.each(testDialects())('times outside 1970–9999 on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  it('refuses a suppression ending in year 10000 with a 400, before anything is written', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/suppressions',
      payload: { address: 'y10k@example.com', note: 'n', expires_at: '+010000-01-01T00:00:00Z' },
      headers: auth(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe('expires_at: must be between 1970 and 9999');
    const status = await t.app.inject({
      method: 'GET',
      url: '/v1/suppressions/y10k@example.com',
      headers: auth(),
    });
    expect(status.json()).toMatchObject({ suppressed: false });
  });

  it.each(['from=100000000000000000000', 'to=99999999999999999', 'from=1e20'])(
    'answers a list filter %s with 400',
    async (query) => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/suppressions?${query}`,
        headers: auth(),
      });
      expect(res.statusCode).toBe(400);
    },
  );

  it('reports an imported row with an out-of-range until as invalid and stores nothing odd', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/import',
      payload:
        '{"address":"imp@example.com","until":"+010000-01-01T00:00:00Z"}\n' +
        '{"address":"imp2@example.com","since":8.6e15}\n',
      headers: { ...auth(), 'content-type': 'application/x-ndjson' },
    });
    expect(res.statusCode).toBe(200);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ status: 'invalid' });
    const list = await t.app.inject({ method: 'GET', url: '/v1/suppressions', headers: auth() });
    expect(list.statusCode).toBe(200);
  });

  it('still lists, checks and deletes a row that holds such a time from before', async () => {
    const now = Date.now();
    await t.tdb.db.kysely
      .insertInto('suppressions')
      .values({
        id: 'old-row',
        channel: 'email',
        address: 'huge@example.com',
        scope: '*',
        reason: 'hard_bounce',
        source: 'import',
        first_event_at: now,
        last_event_at: now,
        expires_at: 8_000_000_000_000_000,
        soft_count: 0,
        soft_failures: '[]',
        metadata: '{}',
        created_at: 8_000_000_000_000_000,
        updated_at: now,
      })
      .execute();
    const list = await t.app.inject({ method: 'GET', url: '/v1/suppressions', headers: auth() });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toContainEqual(
      expect.objectContaining({ address: 'huge@example.com', until: '9999-12-31T23:59:59.999Z' }),
    );
    const check = await t.app.inject({
      method: 'POST',
      url: '/v1/check',
      payload: { recipients: ['huge@example.com'] },
      headers: auth(),
    });
    expect(check.statusCode).toBe(200);
    const del = await t.app.inject({
      method: 'DELETE',
      url: '/v1/suppressions/huge@example.com?note=cleanup',
      headers: auth(),
    });
    expect(del.statusCode).toBe(200);
  });
});
