import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderEndpoint } from '../../src/providers/types.js';
import { testDialects } from '../helpers/dialects.js';
import { ADMIN_KEY, auth, buildTestApp, type TestApp } from '../helpers/app.js';

const docNetOnly: ProviderEndpoint = {
  id: 'doc-net',
  path: '/webhooks/doc-net',
  adapter: {
    name: 'doc-net',
    verify: () => ({ ok: false, reason: 'never verifies' }),
    parse: () => ({ kind: 'ignored', reason: 'test endpoint' }),
  },
  auth: 'adapter',
  bodyLimit: 'single',
  reply: 'standard',
  allowedIps: ['198.51.100.0/24'],
};

describe.each(testDialects())('security headers and rate limits on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      env: {
        BOUNCER_RATE_LIMIT_AUTH_FAILURES: '3',
        BOUNCER_RATE_LIMIT_SIGN_INS: '2',
        BOUNCER_RATE_LIMIT_NOT_FOUND: '2',
      },
      services: { extraEndpoints: [docNetOnly] },
    });
  });
  afterAll(async () => t.close());

  it.each(['/docs/', '/openapi.json', '/healthz', '/v1/suppressions', '/no-such-route'])(
    'sends CSP with frame-ancestors, nosniff and DENY on %s',
    async (url) => {
      const res = await t.app.inject({
        method: 'GET',
        url,
        headers: auth(),
        remoteAddress: '10.0.0.9',
      });
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
    },
  );

  it('answers 429 after too many authentication failures from one address, even with a good key', async () => {
    const from = { remoteAddress: '10.0.0.1' };
    for (let i = 0; i < 3; i++) {
      const bad = await t.app.inject({
        method: 'GET',
        url: '/v1/suppressions',
        headers: auth('wrong-key-0123456789abcdef'),
        ...from,
      });
      expect(bad.statusCode).toBe(401);
    }
    const good = await t.app.inject({
      method: 'GET',
      url: '/v1/suppressions',
      headers: auth(),
      ...from,
    });
    expect(good.statusCode).toBe(429);
    const elsewhere = await t.app.inject({
      method: 'GET',
      url: '/v1/suppressions',
      headers: auth(),
      remoteAddress: '10.0.0.2',
    });
    expect(elsewhere.statusCode).toBe(200);
  });

  it('limits dashboard sign-ins per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (
          await t.app.inject({
            method: 'POST',
            url: '/dashboard/api/session',
            payload: { key: ADMIN_KEY },
            remoteAddress: '10.0.0.3',
          })
        ).statusCode,
      );
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('limits requests for unknown routes per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await t.app.inject({ method: 'GET', url: `/x${i}`, remoteAddress: '10.0.0.4' }))
          .statusCode,
      );
    expect(statuses).toEqual([404, 404, 429]);
  });

  it('never limits webhook routes, whatever their failures', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/webhooks/drip/bounce',
        payload: '{}',
        headers: { 'content-type': 'application/json', 'x-drip-signature': 'bad' },
        remoteAddress: '10.0.0.5',
      });
      expect(res.statusCode).toBe(401);
    }
  });

  it('does not trust X-Forwarded-For unless BOUNCER_TRUST_PROXY says so', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/doc-net',
      payload: '{}',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
      remoteAddress: '203.0.113.9',
    });
    // Refused at the allow-list: the spoofed header did not make the source 198.51.100.7.
    expect(res.statusCode).toBe(401);
  });
});

describe('BOUNCER_TRUST_PROXY', () => {
  it('lets a trusted proxy name the client address', async () => {
    const t = await buildTestApp('sqlite', {
      env: { BOUNCER_TRUST_PROXY: '127.0.0.1/32' },
      services: {
        extraEndpoints: [
          { ...docNetOnly, adapter: { ...docNetOnly.adapter, verify: () => ({ ok: true }) } },
        ],
      },
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/doc-net',
      payload: '{}',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
      remoteAddress: '127.0.0.1',
    });
    expect(res.statusCode).toBe(200);
    await t.close();
  });
});
