import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/main.js';
import { testConfig } from './helpers/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { testDialects } from './helpers/dialects.js';
import { startDovecot, type Dovecot } from './helpers/dovecot.js';
import { skipLeg } from './helpers/legs.js';

const DSN = readFileSync(join(import.meta.dirname, 'fixtures/bounce-mail/rfc3464-dsn.eml'));

/** Poll a condition the background scanner and worker will make true (no fixed sleeps). */
async function eventually(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 50));
}

describe.skipIf(skipLeg('dovecot')).each(testDialects())(
  'bouncer serve with a mailbox on %s',
  (dialect) => {
    let dovecot: Dovecot;
    let tdb: TestDatabase;
    beforeAll(async () => {
      dovecot = await startDovecot();
      tdb = await createTestDatabase(dialect);
    });
    afterAll(async () => {
      await dovecot.stop();
      await tdb.cleanup();
    });

    it('scans the configured IMAP mailbox in the background, applies its events and stops cleanly', async () => {
      dovecot.deliver(DSN);
      const mailboxes = [
        {
          name: 'imap',
          protocol: 'imap',
          host: dovecot.host,
          port: dovecot.imapPort,
          tls: false,
          user: dovecot.user,
          passwordEnv: 'IMAP_PW',
          pollSeconds: 3_600,
        },
      ];
      const config = testConfig(
        {
          HOST: '127.0.0.1',
          PORT: '0',
          BOUNCER_WORKER_POLL_MS: '50',
          BOUNCER_MAILBOXES: JSON.stringify(mailboxes),
          IMAP_PW: dovecot.password,
        },
        tdb.url,
      );
      const running = await startServer(config, pino({ level: 'silent' }));
      try {
        expect(running.scanners.map((s) => s.name)).toEqual(['imap']);
        await eventually(() => dovecot.count('Processed') === 1);
        await eventually(
          async () =>
            (await running.services.suppressions.status('unknown.user@example.net')).suppressed,
        );
      } finally {
        // The scanner sits in IDLE for up to an hour: stop must interrupt it.
        await running.stop();
      }
      expect(dovecot.count('INBOX')).toBe(0);
    });
  },
);
