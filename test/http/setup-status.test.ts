import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { testDialects } from '../helpers/dialects.js';

describe.each(testDialects())('GET /v1/setup-status on %s', (dialect) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const status = async (app: TestApp): Promise<{ code: number; body: unknown }> => {
    const res = await app.app.inject({ method: 'GET', url: '/v1/setup-status' });
    return { code: res.statusCode, body: res.json() };
  };

  it('answers without authentication that no key exists on a fresh install, then that one does', async () => {
    t = await buildTestApp(dialect, { env: { BOUNCER_API_KEY: '' } });
    expect(await status(t)).toEqual({ code: 200, body: { keys_configured: false } });
    const k = await t.services.apiKeys.create('first', 'admin');
    // Only the boolean: nothing about the key itself.
    expect(await status(t)).toEqual({ code: 200, body: { keys_configured: true } });
    await t.services.apiKeys.revoke(k.id);
    expect(await status(t)).toEqual({ code: 200, body: { keys_configured: false } });
  });

  it('counts BOUNCER_API_KEY as a configured key', async () => {
    t = await buildTestApp(dialect);
    expect(await status(t)).toEqual({ code: 200, body: { keys_configured: true } });
  });
});
