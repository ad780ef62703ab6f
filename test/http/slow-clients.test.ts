import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

describe.each(testDialects())('slow and unauthenticated clients on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      env: {
        BOUNCER_HTTP_HEADERS_TIMEOUT_MS: '5000',
        BOUNCER_HTTP_REQUEST_TIMEOUT_MS: '60000',
        BOUNCER_HTTP_IDLE_TIMEOUT_MS: '15000',
        BOUNCER_HTTP_KEEP_ALIVE_TIMEOUT_MS: '2000',
        BOUNCER_HTTP_MAX_CONNECTIONS: '50',
      },
    });
  });
  afterAll(async () => t.close());

  it('puts the configured timeouts and connection cap on the server', () => {
    const s = t.app.server;
    expect(s.headersTimeout).toBe(5_000);
    expect(s.requestTimeout).toBe(60_000);
    expect(s.timeout).toBe(15_000);
    expect(s.keepAliveTimeout).toBe(2_000);
    expect(s.maxConnections).toBe(50);
  });

  it('refuses an API-key webhook without a key before reading its body (which never ends)', async () => {
    const endless = new Readable({ read() {} });
    endless.push('From: a@example.org\r\n');
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/bounce-mail',
      payload: endless,
      headers: { 'content-type': 'message/rfc822' },
    });
    expect(res.statusCode).toBe(401);
    endless.destroy();
  });
});
