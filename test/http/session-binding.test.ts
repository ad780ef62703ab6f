import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { createServices } from '../../src/services/container.js';
import { testDialects } from '../helpers/dialects.js';
import { ADMIN_KEY, buildTestApp, testConfig, type TestApp } from '../helpers/app.js';

const ROTATED_KEY = 'rotated-admin-key-0123456789abcdef';

describe.each(testDialects())('dashboard sessions of BOUNCER_API_KEY on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  /** The same database served with other settings, as after a restart. */
  async function restartedWith(env: Record<string, string | undefined>) {
    const base = { BOUNCER_API_KEY: ADMIN_KEY };
    const config = testConfig(
      Object.fromEntries(Object.entries({ ...base, ...env }).map(([k, v]) => [k, v ?? ''])),
      t.tdb.url,
    );
    const services = createServices(config, t.tdb.db, t.clock, pino({ level: 'silent' }));
    return buildApp(services);
  }

  const signIn = async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/dashboard/api/session',
      payload: { key: ADMIN_KEY },
    });
    return String(res.headers['set-cookie']).split(';')[0]!;
  };
  const read = (app: typeof t.app, cookie: string) =>
    app.inject({ method: 'GET', url: '/v1/suppressions', headers: { cookie } });

  it('keeps a session while the key stays the same', async () => {
    const cookie = await signIn();
    const app = await restartedWith({});
    expect((await read(app, cookie)).statusCode).toBe(200);
    await app.close();
  });

  it('ends the session when BOUNCER_API_KEY is rotated', async () => {
    const cookie = await signIn();
    const app = await restartedWith({ BOUNCER_API_KEY: ROTATED_KEY });
    expect((await read(app, cookie)).statusCode).toBe(401);
    await app.close();
  });

  it('ends the session when BOUNCER_API_KEY is unset', async () => {
    const cookie = await signIn();
    const app = await restartedWith({ BOUNCER_API_KEY: undefined });
    expect((await read(app, cookie)).statusCode).toBe(401);
    await app.close();
  });

  it('answers a session cookie with a malformed percent escape with 401, not 500', async () => {
    for (const cookie of ['bouncer_session=%E0%A4%A', 'bouncer_session=%', 'bouncer_session=a%zz'])
      expect((await read(t.app, cookie)).statusCode).toBe(401);
  });
});
