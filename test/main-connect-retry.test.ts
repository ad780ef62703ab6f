import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { openMigrated, startServer } from '../src/main.js';
import { testConfig } from './helpers/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { testDialects } from './helpers/dialects.js';
import { TcpProxy } from './helpers/tcp-proxy.js';

describe.skipIf(!testDialects().includes('postgres'))(
  'startup with PostgreSQL not reachable yet',
  () => {
    let tdb: TestDatabase | undefined;
    let proxy: TcpProxy | undefined;
    afterEach(async () => {
      await proxy?.close();
      await tdb?.cleanup();
    });

    async function behindProxy(timeoutMs: string) {
      tdb = await createTestDatabase('postgres');
      const url = new URL(tdb.url);
      proxy = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
      url.port = String(await proxy.listen());
      proxy.cutOff();
      return testConfig({ BOUNCER_DATABASE_CONNECT_TIMEOUT_MS: timeoutMs }, url.toString());
    }

    it('retries with backoff and starts once the server answers', async () => {
      const config = await behindProxy('30000');
      const warnings: unknown[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
      const opening = openMigrated(config, logger, { serving: true });
      // The server "comes up" once startup has retried at least once.
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (warnings.length > 0) {
            clearInterval(check);
            proxy?.restore();
            resolve();
          }
        }, 20);
      });
      const db = await opening;
      expect(String(warnings[0])).toContain('database not reachable yet; retrying');
      await db.close();
    });

    it('answers /readyz 503 and /healthz 200 on its port while it waits, then serves', async () => {
      const port = await freePort();
      const base = await behindProxy('30000');
      const config = { ...base, http: { ...base.http, host: '127.0.0.1', port } };
      const warnings: unknown[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
      const starting = startServer(config, logger);
      while (warnings.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ error: { code: 'BOUNCER_ERR_UNAVAILABLE' } });
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const webhook = await fetch(`http://127.0.0.1:${port}/webhooks/bounce`, { method: 'POST' });
      expect(webhook.status).toBe(503);
      proxy?.restore();
      const running = await starting;
      try {
        expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      } finally {
        await running.stop();
      }
    });

    it('gives up after BOUNCER_DATABASE_CONNECT_TIMEOUT_MS', async () => {
      const config = await behindProxy('300');
      await expect(
        openMigrated(config, pino({ level: 'silent' }), { serving: true }),
      ).rejects.toThrow();
    });
  },
);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
