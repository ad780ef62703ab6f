import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openMailboxSession } from '../../../src/mailbox/index.js';
import { createMailboxScanners, type ScanReport } from '../../../src/services/mailbox/index.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { skipLeg } from '../../helpers/legs.js';

const DSN = readFileSync(join(import.meta.dirname, '../../fixtures/bounce-mail/rfc3464-dsn.eml'));

/** How the scanners reach a server: TLS variants, and polling where IMAP offers no IDLE. */
describe.skipIf(skipLeg('dovecot')).each(testDialects())(
  'mailbox transports against Dovecot on %s',
  (dialect) => {
    let dovecot: Dovecot | undefined;
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      await dovecot?.stop();
    });

    const app = async (d: Dovecot, mailboxes: Array<Record<string, unknown>>): Promise<TestApp> =>
      buildTestApp(dialect, {
        env: {
          BOUNCER_MAILBOXES: JSON.stringify(
            mailboxes.map((m) => ({
              host: d.host,
              user: d.user,
              passwordEnv: 'PW',
              rejectUnauthorized: false,
              ...m,
            })),
          ),
          PW: d.password,
        },
      });

    it('scans IMAP over STARTTLS and POP3 over implicit TLS, and refuses an untrusted certificate by default', async () => {
      dovecot = await startDovecot({ tls: true });
      t = await app(dovecot, [
        { name: 'imap-starttls', protocol: 'imap', port: dovecot.imapPort, tls: 'starttls' },
        { name: 'pop3-tls', protocol: 'pop3', port: dovecot.pop3sPort, tls: true },
        {
          name: 'pop3-strict',
          protocol: 'pop3',
          port: dovecot.pop3sPort,
          tls: true,
          rejectUnauthorized: true,
        },
      ]);
      const [imap, pop3, strict] = createMailboxScanners(t.services, openMailboxSession);
      dovecot.deliver(DSN);
      expect(await imap!.scanOnce()).toMatchObject({ processed: 1, events: 1 });
      dovecot.deliver(DSN);
      expect(await pop3!.scanOnce()).toMatchObject({ processed: 1, events: 1 });
      await expect(strict!.scanOnce()).rejects.toThrow(/certificate/i);
    });

    it('polls an IMAP server that offers no IDLE', async () => {
      dovecot = await startDovecot({ idle: false });
      t = await app(dovecot, [
        { name: 'no-idle', protocol: 'imap', port: dovecot.imapPort, tls: false, pollSeconds: 1 },
      ]);
      const reports: ScanReport[] = [];
      let waiting: { until: (r: ScanReport) => boolean; resolve: () => void } | null = null;
      const [scanner] = createMailboxScanners(t.services, openMailboxSession, {
        onScan: (r) => {
          reports.push(r);
          if (waiting?.until(r)) waiting.resolve();
        },
      });
      const scanned = (until: (r: ScanReport) => boolean): Promise<void> =>
        new Promise((resolve) => (waiting = { until, resolve }));
      const first = scanned(() => true);
      scanner!.start();
      await first;
      const picked = scanned((r) => r.processed === 1);
      dovecot.deliver(DSN);
      await picked;
      await scanner!.stop();
      expect(dovecot.count('Processed')).toBe(1);
      // Polling means a fresh session per pass.
      expect(reports.length).toBeGreaterThanOrEqual(2);
    });

    it('reconnects after the server drops the connection, and takes the mail that came meanwhile', async () => {
      dovecot = await startDovecot();
      t = await app(dovecot, [
        { name: 'reconnect', protocol: 'imap', port: dovecot.imapPort, tls: false, pollSeconds: 1 },
      ]);
      let waiting: { until: (r: ScanReport) => boolean; resolve: () => void } | null = null;
      const [scanner] = createMailboxScanners(t.services, openMailboxSession, {
        onScan: (r) => (waiting?.until(r) ? waiting.resolve() : undefined),
      });
      const scanned = (until: (r: ScanReport) => boolean): Promise<void> =>
        new Promise((resolve) => (waiting = { until, resolve }));
      const first = scanned(() => true);
      scanner!.start();
      await first;
      await dovecot.restart();
      const picked = scanned((r) => r.processed === 1);
      dovecot.deliver(DSN);
      await picked;
      await scanner!.stop();
      expect(dovecot.count('Processed')).toBe(1);
      expect(scanner!.status()).toMatchObject({
        mailbox: 'reconnect',
        lastError: null,
        consecutiveFailures: 0,
      });
      expect(scanner!.status().lastScanAt).not.toBeNull();
    });
  },
);
