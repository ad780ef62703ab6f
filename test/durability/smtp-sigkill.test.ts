import { describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { serverEnv } from '../helpers/server-process.js';
import { dsnFor, sendRaw } from '../helpers/smtp-bounce.js';
import { expectAppliedOnce, serverFixture, waitForEmptyQueue } from './assertions.js';

const smtpPort = (logs: Array<Record<string, unknown>>): number => {
  const line = logs.find((l) => l.msg === 'bouncer is serving');
  return Number(
    String(line?.smtp ?? '')
      .split(':')
      .pop(),
  );
};

describe.each(testDialects())('SMTP receiver, kill -9 after 250 on %s', (dialect) => {
  const fixture = serverFixture();

  it(
    'applies every bounce answered 250 after the server is killed and restarted',
    { timeout: 120_000 },
    async () => {
      const tdb = await fixture.database(dialect);
      const env = serverEnv(tdb.url, {
        BOUNCER_SMTP_LISTEN: '127.0.0.1:0',
        BOUNCER_SMTP_DOMAINS: 'bounce.example.com',
        BOUNCER_LEASE_MS: '1000',
        // Nothing is applied before the kill: only what was stored can come back.
        BOUNCER_WORKER: 'false',
      });
      const first = await fixture.start(env);
      const port = smtpPort(first.logs);
      expect(port).toBeGreaterThan(0);
      const acked: string[] = [];
      for (let i = 0; i < 20; i++) {
        const address = `killed-${dialect}-${i}@example.net`;
        const r = await sendRaw(port, ['bounces@bounce.example.com'], dsnFor(address));
        if (r.ok) acked.push(address);
      }
      expect(acked).toHaveLength(20);
      await first.kill('SIGKILL');
      await fixture.start({ ...env, BOUNCER_WORKER: 'true' });
      await waitForEmptyQueue(tdb.db);
      await expectAppliedOnce(tdb.db, acked);
    },
  );
});
