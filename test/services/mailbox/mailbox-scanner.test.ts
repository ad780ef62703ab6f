import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors.js';
import { openMailboxSession } from '../../../src/mailbox/index.js';
import type { IngestService } from '../../../src/services/ingest/ingest.js';
import {
  createMailboxScanners,
  MailboxScanner,
  type ScanReport,
} from '../../../src/services/mailbox/index.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { skipLeg } from '../../helpers/legs.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/bounce-mail');
const sample = (name: string): Buffer => readFileSync(join(FIXTURES, name));
const GARBAGE =
  'From: someone@example.org\r\nTo: bounces@example.com\r\nSubject: lunch on friday?\r\nMessage-ID: <lunch@example.org>\r\n\r\nAre you coming?\r\n';

/** A notice that names no recipient: only the VERP address it was sent to says whom it is about. */
const VERP_BOUNCE = [
  'From: MAILER-DAEMON@mx.example.net',
  'To: bounces+jane=example.org@sender.example',
  'Subject: Undelivered Mail Returned to Sender',
  'Message-ID: <verp-1@mx.example.net>',
  '',
  'Your message could not be delivered.',
  'Reason: 550 5.2.2 mailbox full',
  '',
].join('\r\n');

/** A DSN, a Postfix DSN with two recipients and an ARF complaint (four events), one auto-reply (understood, no event) and one message nobody can read. */
function deliverSamples(dovecot: Dovecot): void {
  dovecot.deliver(sample('rfc3464-dsn.eml'));
  dovecot.deliver(sample('postfix.eml'));
  dovecot.deliver(sample('arf-abuse.eml'));
  dovecot.deliver(sample('rfc3834-vacation.eml'));
  dovecot.deliver(GARBAGE);
}

describe.skipIf(skipLeg('dovecot')).each(testDialects())(
  'mailbox scanning against Dovecot on %s',
  (dialect) => {
    let dovecot: Dovecot;
    let t: TestApp;
    const open = async (
      protocol: 'imap' | 'pop3',
      extra: Record<string, unknown> = {},
      env: Record<string, string> = {},
    ): Promise<void> => {
      const mailbox = {
        name: `test-${protocol}`,
        protocol,
        host: dovecot.host,
        port: protocol === 'imap' ? dovecot.imapPort : dovecot.pop3Port,
        tls: false,
        user: dovecot.user,
        passwordEnv: 'TEST_MAILBOX_PASSWORD',
        ...extra,
      };
      t = await buildTestApp(dialect, {
        env: {
          BOUNCER_MAILBOXES: JSON.stringify([mailbox]),
          TEST_MAILBOX_PASSWORD: dovecot.password,
          ...env,
        },
      });
    };
    const scanner = (onScan?: (r: ScanReport) => void): MailboxScanner => {
      const [s] = createMailboxScanners(t.services, openMailboxSession, { onScan });
      if (!s) throw new Error('no scanner');
      return s;
    };
    const deliveries = async (status?: 'dead' | 'done' | 'ignored') =>
      (await t.services.deliveries.list({ status }, 100)).items;

    beforeEach(async () => {
      dovecot = await startDovecot();
    });
    afterEach(async () => {
      await t?.close();
      await dovecot.stop();
    });

    it('IMAP: stores the events, moves processed mail to Processed and the unreadable one to Unparsed as a dead delivery', async () => {
      await open('imap');
      deliverSamples(dovecot);
      const report = await scanner().scanOnce();
      expect(report).toMatchObject({
        listed: 5,
        processed: 4,
        unparsed: 1,
        events: 4,
        tooLarge: 0,
        alreadyTaken: 0,
      });
      expect(dovecot.count('INBOX')).toBe(0);
      expect(dovecot.count('Processed')).toBe(4);
      expect(dovecot.messages('Unparsed').map((m) => m.toString())).toEqual([GARBAGE]);

      await t.drain();
      expect(await t.services.suppressions.status('unknown.user@example.net')).toMatchObject({
        suppressed: true,
        entries: [{ reason: 'hard_bounce' }],
      });
      expect(await t.services.suppressions.status('no.such.user@example.com')).toMatchObject({
        suppressed: true,
      });
      expect(await t.services.suppressions.status('complainer@mailbox.example')).toMatchObject({
        suppressed: true,
        entries: [{ reason: 'spam_complaint' }],
      });
      const dead = await deliveries('dead');
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ provider: 'bounce-mail', endpoint: 'bounce-mail' });
      const stored = await t.services.deliveries.get(String(dead[0]!.id));
      expect(stored.body).toBe(GARBAGE);
      expect(await deliveries('done')).toHaveLength(3);
      expect(await deliveries('ignored')).toHaveLength(1);

      // Nothing left to do on a second pass.
      expect(await scanner().scanOnce()).toMatchObject({ listed: 0, processed: 0 });
    });

    it('POP3: deletes processed mail, keeps the unreadable one and does not ingest it again', async () => {
      await open('pop3');
      deliverSamples(dovecot);
      const first = await scanner().scanOnce();
      expect(first).toMatchObject({ listed: 5, processed: 4, unparsed: 1, events: 4 });
      expect(dovecot.messages('INBOX').map((m) => m.toString())).toEqual([GARBAGE]);
      expect(await deliveries('dead')).toHaveLength(1);

      const second = await scanner().scanOnce();
      expect(second).toMatchObject({ listed: 1, processed: 0, unparsed: 0, alreadyTaken: 1 });
      expect(await deliveries()).toHaveLength(5);
      expect(dovecot.count('INBOX')).toBe(1);
      await t.drain();
      expect(await t.services.suppressions.status('unknown.user@example.net')).toMatchObject({
        suppressed: true,
      });
    });

    it('leaves every message in place when its delivery cannot be stored', async () => {
      await open('imap');
      deliverSamples(dovecot);
      const unavailable = {
        receive: () => Promise.reject(new AppError('BOUNCER_ERR_UNAVAILABLE')),
      } as unknown as IngestService;
      const endpoint = t.services.endpoints.find((e) => e.id === 'bounce-mail')!;
      const broken = new MailboxScanner({
        config: t.config.mailboxes[0]!,
        open: openMailboxSession,
        ingest: unavailable,
        endpoint,
        db: t.services.db,
        clock: t.clock,
        logger: t.services.logger,
        maxMessageBytes: 1_000_000,
      });
      await expect(broken.scanOnce()).rejects.toThrow(/temporarily unavailable/);
      expect(dovecot.count('INBOX')).toBe(5);
      expect(dovecot.count('Processed') + dovecot.count('Unparsed')).toBe(0);
      // The next healthy pass takes them all.
      expect(await scanner().scanOnce()).toMatchObject({ processed: 4, unparsed: 1 });
    });

    it('reads the recipient from the VERP address with the mailbox pattern, and the worker parses it the same way', async () => {
      await open('pop3', { verp: 'bounces+{local}={domain}@sender.example' });
      dovecot.deliver(VERP_BOUNCE);
      expect(await scanner().scanOnce()).toMatchObject({ processed: 1, events: 1, unparsed: 0 });
      await t.drain();
      const history = await t.services.suppressions.history('jane@example.org', 10, undefined);
      expect(history.events).toMatchObject([
        { type: 'bounce', provider: 'bounce-mail', enhanced_status: '5.2.2' },
      ]);
    });

    it('moves a message over the size limit to Unparsed without storing it', async () => {
      await open('imap', {}, { BOUNCER_BOUNCE_MAIL_BODY_LIMIT_BYTES: '4096' });
      dovecot.deliver(`Subject: huge\r\n\r\n${'x'.repeat(10_000)}\r\n`);
      dovecot.deliver(sample('rfc3464-dsn.eml'));
      expect(await scanner().scanOnce()).toMatchObject({ listed: 2, processed: 1, tooLarge: 1 });
      expect(dovecot.count('Unparsed')).toBe(1);
      expect(await deliveries()).toHaveLength(1);
    });

    it('IMAP IDLE: picks up mail that arrives while it waits, long before the poll interval', async () => {
      await open('imap', { pollSeconds: 3_600 });
      const reports: ScanReport[] = [];
      let notify: (() => void) | null = null;
      const s = scanner((r) => {
        reports.push(r);
        notify?.();
      });
      const next = (): Promise<void> => new Promise((resolve) => (notify = resolve));
      const firstPass = next();
      s.start();
      await firstPass;
      expect(reports[0]).toMatchObject({ listed: 0 });
      const secondPass = next();
      dovecot.deliver(sample('rfc3464-dsn.eml'));
      await secondPass;
      await s.stop();
      expect(reports.at(-1)).toMatchObject({ processed: 1, events: 1 });
      expect(dovecot.count('Processed')).toBe(1);
    });
  },
);
