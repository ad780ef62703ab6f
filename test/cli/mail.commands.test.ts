import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { runBouncer } from '../helpers/cli.js';
import { testDialects } from '../helpers/dialects.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { skipLeg } from '../helpers/legs.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/bounce-mail');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'latin1');
const UNREADABLE = 'From: a@example.org\nSubject: lunch\n\nAre you coming?\n';
/** An mbox: a DSN, an ARF complaint and a message nobody can read. */
const MBOX = [fixture('rfc3464-dsn.eml'), fixture('arf-abuse.eml'), UNREADABLE]
  .map((m) => `From MAILER-DAEMON Mon Nov 23 09:00:00 2026\n${m.replace(/\r\n/g, '\n')}\n`)
  .join('');
const QUIET = { BOUNCER_LOG_LEVEL: 'silent' };
const UNREACHABLE_DB = 'postgres://postgres@127.0.0.1:1/bouncer';

describe('bouncer parse-mail', () => {
  it('prints the events of every message in an mbox without touching a database', async () => {
    const r = await runBouncer(
      ['parse-mail', '-', '--json'],
      { ...QUIET, BOUNCER_DATABASE_URL: UNREACHABLE_DB },
      MBOX,
    );
    expect(r.code).toBe(0);
    const reports = JSON.parse(r.stdout) as Array<{
      outcome: string;
      events: Array<{ type: string; address: string }>;
    }>;
    expect(reports.map((m) => m.outcome)).toEqual(['events', 'events', 'unparsed']);
    expect(reports[0]!.events).toMatchObject([
      { type: 'bounce', address: 'unknown.user@example.net' },
    ]);
    expect(reports[1]!.events).toMatchObject([
      { type: 'complaint', address: 'complainer@mailbox.example' },
    ]);
  });

  it('reads a single message from a file and prints one line per event', async () => {
    const r = await runBouncer(['parse-mail', join(FIXTURES, 'postfix.eml')], QUIET);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^message 1: events\n {2}bounce +no\.such\.user@example\.com +hard_bounce/,
    );
  });

  it('parses many files and a directory in one process, one JSON line per message with its file', async () => {
    const files = ['postfix.eml', 'rfc3464-dsn.eml'].map((f) => join(FIXTURES, f));
    const r = await runBouncer(['parse-mail', ...files, FIXTURES, '/nonexistent/x.eml'], QUIET);
    expect(r.code).toBe(66);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { file: string; outcome: string; events: Array<{ address: string }> },
      );
    expect(lines[0]).toMatchObject({ file: files[0], outcome: 'events' });
    expect(lines[0]!.events.map((e) => e.address)).toContain('no.such.user@example.com');
    expect(lines[1]).toMatchObject({ file: files[1], outcome: 'events' });
    // Every fixture of the directory once (one message each), then the unreadable file.
    const fromDir = lines.filter((l) => l.file.startsWith(FIXTURES) && !files.includes(l.file));
    expect(fromDir.length).toBeGreaterThan(15);
    expect(
      fromDir.some((l) => l.file.endsWith('not-a-bounce.eml') && l.outcome === 'unparsed'),
    ).toBe(true);
    expect(lines.at(-1)).toMatchObject({ file: '/nonexistent/x.eml', outcome: 'error' });
  });

  it('exits 66 when the file cannot be read and 65 when the input holds no message', async () => {
    expect((await runBouncer(['parse-mail', '/nonexistent/mail.eml'], QUIET)).code).toBe(66);
    expect((await runBouncer(['parse-mail', '-'], QUIET, '')).code).toBe(65);
  });
});

describe('bouncer ingest-mail and scan-mailbox when the database is down', () => {
  it('exits 75 (EX_TEMPFAIL) so the MTA keeps the mail and retries', async () => {
    const r = await runBouncer(
      ['ingest-mail', '-'],
      { ...QUIET, BOUNCER_DATABASE_URL: UNREACHABLE_DB },
      MBOX,
    );
    expect(r.code).toBe(75);
    expect(r.stderr).toMatch(/database unavailable/);
  });

  it('makes scan-mailbox --once exit 75 too, so cron tries again next time', async () => {
    const mailboxes = JSON.stringify([
      {
        name: 'm',
        protocol: 'pop3',
        host: '127.0.0.1',
        port: 1,
        tls: false,
        user: 'u',
        passwordEnv: 'PW',
      },
    ]);
    const r = await runBouncer(['scan-mailbox', '--once'], {
      ...QUIET,
      BOUNCER_DATABASE_URL: UNREACHABLE_DB,
      BOUNCER_MAILBOXES: mailboxes,
      PW: 'x',
    });
    expect(r.code).toBe(75);
  });
});

describe.each(testDialects())('bouncer ingest-mail and scan-mailbox on %s', (dialect) => {
  let t: TestApp;
  let dovecot: Dovecot;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    if (!skipLeg('dovecot')) dovecot = await startDovecot();
  });
  afterAll(async () => {
    await t.close();
    await dovecot?.stop();
  });

  it('stores every message of an mbox piped on stdin, the unreadable one as a dead delivery', async () => {
    const r = await runBouncer(
      ['ingest-mail', '-', '--json'],
      { ...QUIET, BOUNCER_DATABASE_URL: t.tdb.url },
      MBOX,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ messages: 3, stored: 2, events: 2, unparsed: 1 });
    await t.drain();
    expect(await t.services.suppressions.status('unknown.user@example.net')).toMatchObject({
      suppressed: true,
    });
    expect((await t.services.deliveries.list({ status: 'dead' }, 10)).items).toHaveLength(1);
  });

  it.skipIf(skipLeg('dovecot'))(
    'scans a POP3 mailbox once and applies the events with --process',
    async () => {
      dovecot.deliver(fixture('postfix.eml'));
      dovecot.deliver(UNREADABLE);
      const mailboxes = JSON.stringify([
        {
          name: 'pop',
          protocol: 'pop3',
          host: dovecot.host,
          port: dovecot.pop3Port,
          tls: false,
          user: dovecot.user,
          passwordEnv: 'POP_PASSWORD',
        },
      ]);
      const env = {
        ...QUIET,
        BOUNCER_DATABASE_URL: t.tdb.url,
        BOUNCER_MAILBOXES: mailboxes,
        POP_PASSWORD: dovecot.password,
      };
      const r = await runBouncer(
        ['scan-mailbox', '--once', '--name', 'pop', '--process', '--json'],
        env,
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject([
        { mailbox: 'pop', listed: 2, processed: 1, unparsed: 1, events: 2 },
      ]);
      expect(dovecot.count('INBOX')).toBe(1);
      expect(await t.services.suppressions.status('no.such.user@example.com')).toMatchObject({
        suppressed: true,
      });
      const unknown = await runBouncer(['scan-mailbox', '--once', '--name', 'nope'], env);
      expect(unknown.stderr).toMatch(/no mailbox is named "nope"/);
    },
  );
});
