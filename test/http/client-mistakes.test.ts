import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';

describe.each(testDialects())('client mistakes are 4xx, never 500, on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  it.each([
    '/v1/suppressions?limit=1e309',
    '/v1/suppressions?limit=-1',
    '/v1/suppressions?limit=1.5',
    '/v1/events?address=a@example.com&limit=1e309',
    '/v1/audit?limit=99999999999999999999',
    '/v1/suppressions?from=1e20',
    '/v1/suppressions?from=100000000000000000000',
    '/v1/deliveries?since=100000000000000000000',
    '/v1/export?from=100000000000000000000',
  ])('answers %s with 400', async (url) => {
    const res = await t.app.inject({ method: 'GET', url, headers: auth() });
    expect(res.statusCode).toBe(400);
  });
});
