import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderEndpoint } from '../../src/providers/types.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { testDialects } from '../helpers/dialects.js';
import { UNAUTHORIZED_BODY } from '../helpers/provider-http.js';

function endpoint(id: string, allowedIps: string[]): ProviderEndpoint {
  return {
    id,
    path: `/webhooks/${id}`,
    adapter: {
      name: id,
      verify: () => ({ ok: true }),
      parse: () => ({ kind: 'ignored', reason: 'test endpoint' }),
    },
    auth: 'adapter',
    bodyLimit: 'single',
    reply: 'standard',
    allowedIps,
  };
}

describe.each(testDialects())('webhook source allow-lists on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      services: {
        extraEndpoints: [
          endpoint('only-doc-net', ['198.51.100.0/24']),
          endpoint('only-loopback', ['127.0.0.0/8', '::1']),
        ],
      },
    });
  });
  afterAll(() => t.close());

  it('refuses a source outside the list with the uniform 401 and stores nothing', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/only-doc-net',
      remoteAddress: '203.0.113.5',
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual(UNAUTHORIZED_BODY);
    expect((await t.services.deliveries.list({}, 10)).items).toHaveLength(0);
  });

  it('accepts a source inside the list', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/only-loopback',
      remoteAddress: '127.0.0.1',
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ignored', reason: 'test endpoint' });
  });
});
