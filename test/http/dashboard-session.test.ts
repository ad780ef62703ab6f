import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { ADMIN_KEY, auth, buildTestApp, type TestApp } from '../helpers/app.js';

const UNAUTHORIZED = {
  error: { code: 'BOUNCER_ERR_UNAUTHORIZED', message: 'Authentication required' },
};

describe.each(testDialects())('dashboard sessions on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    // Behind a TLS-terminating proxy that is trusted (BOUNCER_TRUST_PROXY): X-Forwarded-Proto counts.
    t = await buildTestApp(dialect, { env: { BOUNCER_TRUST_PROXY: 'true' } });
  });
  afterAll(async () => t.close());

  const signIn = async (key: string) =>
    t.app.inject({ method: 'POST', url: '/dashboard/api/session', payload: { key } });
  const cookieOf = (setCookie: string | string[] | undefined): string =>
    String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0]!;

  it('signs in with an API key and sets an HttpOnly, SameSite=Strict session cookie', async () => {
    const res = await signIn(ADMIN_KEY);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      name: 'BOUNCER_API_KEY',
      scope: 'admin',
      csrf: expect.any(String) as unknown,
    });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^bouncer_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).not.toContain('Secure');
    const https = await t.app.inject({
      method: 'POST',
      url: '/dashboard/api/session',
      payload: { key: ADMIN_KEY },
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(String(https.headers['set-cookie'])).toContain('Secure');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('refuses a wrong key with the uniform 401 and sets no cookie', async () => {
    const res = await signIn('not-a-key-0123456789');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual(UNAUTHORIZED);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('lets the session call the API, and requires the CSRF token on state-changing requests', async () => {
    const login = await signIn(ADMIN_KEY);
    const cookie = cookieOf(login.headers['set-cookie']);
    const { csrf } = login.json<{ csrf: string }>();
    const read = await t.app.inject({
      method: 'GET',
      url: '/v1/suppressions',
      headers: { cookie },
    });
    expect(read.statusCode).toBe(200);
    const payload = { address: 'csrf@example.com', note: 'test' };
    const without = await t.app.inject({
      method: 'POST',
      url: '/v1/suppressions',
      headers: { cookie },
      payload,
    });
    expect(without.statusCode).toBe(403);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/v1/suppressions',
      headers: { cookie, 'x-csrf-token': `${csrf}x` },
      payload,
    });
    expect(wrong.statusCode).toBe(403);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v1/suppressions',
      headers: { cookie, 'x-csrf-token': csrf },
      payload,
    });
    expect(ok.statusCode).toBe(201);
    const audit = await t.app.inject({
      method: 'GET',
      url: '/v1/audit?address=csrf@example.com',
      headers: auth(),
    });
    expect(audit.json()).toMatchObject({
      items: [{ action: 'suppress', actor: 'key:BOUNCER_API_KEY' }],
    });
  });

  it('answers the session probe with 200 signed_in false when signed out (no failed request)', async () => {
    const probe = (cookie?: string) =>
      t.app.inject({
        method: 'GET',
        url: '/dashboard/api/session',
        headers: cookie ? { cookie } : {},
      });
    for (const res of [
      await probe(),
      await probe('bouncer_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
    ]) {
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ signed_in: false });
      expect(res.headers['cache-control']).toBe('no-store');
    }
    const cookie = cookieOf((await signIn(ADMIN_KEY)).headers['set-cookie']);
    expect((await probe(cookie)).json()).toMatchObject({
      signed_in: true,
      name: 'BOUNCER_API_KEY',
      scope: 'admin',
    });
  });

  it('serves its icon at /favicon.ico and /favicon.svg', async () => {
    for (const url of ['/favicon.ico', '/favicon.svg']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect(res.body).toMatch(/^<svg /);
    }
  });

  it('answers an unknown or signed-out session with the same 401 as a missing key', async () => {
    const bogus = await t.app.inject({
      method: 'GET',
      url: '/v1/suppressions',
      headers: { cookie: 'bouncer_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    });
    expect(bogus.statusCode).toBe(401);
    expect(bogus.json()).toEqual(UNAUTHORIZED);
    const login = await signIn(ADMIN_KEY);
    const cookie = cookieOf(login.headers['set-cookie']);
    const { csrf } = login.json<{ csrf: string }>();
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/dashboard/api/session', headers: { cookie } }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await t.app.inject({
          method: 'DELETE',
          url: '/dashboard/api/session',
          headers: { cookie, 'x-csrf-token': csrf },
        })
      ).statusCode,
    ).toBe(204);
    const after = await t.app.inject({
      method: 'GET',
      url: '/v1/suppressions',
      headers: { cookie },
    });
    expect(after.statusCode).toBe(401);
    expect(after.json()).toEqual(UNAUTHORIZED);
  });

  it('ends the sessions of a revoked key and keeps the session to its key scope', async () => {
    const key = await t.services.apiKeys.create('reader', 'read');
    const login = await signIn(key.key);
    const cookie = cookieOf(login.headers['set-cookie']);
    const { csrf } = login.json<{ csrf: string }>();
    const write = await t.app.inject({
      method: 'POST',
      url: '/v1/suppressions',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { address: 'x@example.com', note: 'n' },
    });
    expect(write.statusCode).toBe(403);
    await t.services.apiKeys.revoke(key.id);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/suppressions', headers: { cookie } }))
        .statusCode,
    ).toBe(401);
  });

  it('serves the alert states and the overview to a read key', async () => {
    const alerts = await t.app.inject({ method: 'GET', url: '/v1/alerts', headers: auth() });
    expect(alerts.statusCode).toBe(200);
    expect(alerts.json()).toMatchObject({
      firing: [],
      recent: [],
      rules: { bounceRate: { warningPercent: 5, criticalPercent: 10 } },
    });
    const overview = await t.app.inject({
      method: 'GET',
      url: '/v1/dashboard/overview?days=7',
      headers: auth(),
    });
    expect(overview.statusCode).toBe(200);
    const body = overview.json<{
      eventsPerDay: { days: string[] };
      suppressionsByReason: Array<{ reason: string; count: number; percent: number }>;
    }>();
    expect(body.eventsPerDay.days).toHaveLength(7);
    expect(body.suppressionsByReason).toEqual([{ reason: 'manual', count: 1, percent: 100 }]);
    expect((await t.app.inject({ method: 'GET', url: '/v1/alerts' })).statusCode).toBe(401);
  });
});
