import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';

describe('storage faults on sqlite', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('sqlite', {
      app: {
        plugins: [
          async (app) => {
            // Errors as the drivers raise them when the database goes away mid-request.
            app.get('/test/fault/:code', async (req) => {
              throw Object.assign(new Error('driver error'), {
                code: (req.params as { code: string }).code,
              });
            });
          },
        ],
      },
    });
  });
  afterAll(async () => t.close());

  it('answers writes 503 and still serves reads when the database becomes unwritable', async () => {
    await t.services.suppressions.suppress({ address: 'kept@example.com', actor: 't', note: 'n' });
    await sql`pragma query_only = 1`.execute(t.tdb.db.kysely);
    try {
      const write = await t.app.inject({
        method: 'POST',
        url: '/v1/suppressions',
        payload: { address: 'new@example.com', note: 'n' },
        headers: auth(),
      });
      expect(write.statusCode).toBe(503);
      expect(write.json().error.code).toBe('BOUNCER_ERR_UNAVAILABLE');
      const read = await t.app.inject({
        method: 'GET',
        url: '/v1/suppressions/kept@example.com',
        headers: auth(),
      });
      expect(read.statusCode).toBe(200);
      expect(read.json()).toMatchObject({ suppressed: true });
    } finally {
      await sql`pragma query_only = 0`.execute(t.tdb.db.kysely);
    }
  });

  it.each([
    'SQLITE_READONLY',
    'SQLITE_IOERR_WRITE',
    'SQLITE_FULL',
    'SQLITE_CANTOPEN',
    '08006',
    'ECONNREFUSED',
    '57P01',
  ])('maps %s to 503', async (code) => {
    const res = await t.app.inject({ method: 'GET', url: `/test/fault/${code}` });
    expect(res.statusCode).toBe(503);
  });

  it('keeps other failures a 500', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test/fault/SQLITE_CONSTRAINT' });
    expect(res.statusCode).toBe(500);
  });

  it('does not memory-map the database file', async () => {
    const rows = await sql<{ mmap_size: number }>`pragma mmap_size`.execute(t.tdb.db.kysely);
    expect(rows.rows[0]?.mmap_size).toBe(0);
  });
});
