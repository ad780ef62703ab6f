import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';

const base = { BOUNCER_DATABASE_URL: 'sqlite::memory:', MAIL_PW: 's3cret' };
const parse = (mailboxes: unknown, extra: Record<string, string> = {}) =>
  parseConfig({ ...base, BOUNCER_MAILBOXES: JSON.stringify(mailboxes), ...extra });
const minimal = {
  name: 'bounces',
  protocol: 'imap',
  host: 'mail.example.com',
  user: 'bounces',
  passwordEnv: 'MAIL_PW',
};

describe('mailbox settings', () => {
  it('fills in defaults and reads the password from the named variable', () => {
    const [m] = parse([minimal]).mailboxes;
    expect(m).toEqual({
      name: 'bounces',
      protocol: 'imap',
      host: 'mail.example.com',
      port: 993,
      tls: true,
      rejectUnauthorized: true,
      user: 'bounces',
      password: 's3cret',
      folder: 'INBOX',
      processedFolder: 'Processed',
      unparsedFolder: 'Unparsed',
      pollSeconds: 60,
      verp: null,
    });
  });

  it('picks the usual port for each protocol and security', () => {
    const ports = parse([
      { ...minimal, name: 'a', tls: 'starttls' },
      { ...minimal, name: 'b', protocol: 'pop3' },
      { ...minimal, name: 'c', protocol: 'pop3', tls: false },
    ]).mailboxes.map((m) => m.port);
    expect(ports).toEqual([143, 995, 110]);
  });

  it('accepts the list from a config file as a JSON value', () => {
    expect(parseConfig({ ...base, BOUNCER_MAILBOXES: [minimal] }).mailboxes).toHaveLength(1);
  });

  it('names the setting at fault', () => {
    expect(() => parse({})).toThrow(/BOUNCER_MAILBOXES must be a JSON array/);
    expect(() => parse([{ ...minimal, protocol: 'smtp' }])).toThrow(
      /BOUNCER_MAILBOXES\[0\]\.protocol must be "imap" or "pop3"/,
    );
    expect(() => parse([{ ...minimal, passwordEnv: 'NOT_SET_ANYWHERE' }])).toThrow(
      /BOUNCER_MAILBOXES\[0\]\.passwordEnv names the environment variable NOT_SET_ANYWHERE, which is not set/,
    );
    expect(() => parse([minimal, minimal])).toThrow(
      /BOUNCER_MAILBOXES\[1\]\.name "bounces" is used by another mailbox/,
    );
    expect(() => parse([{ ...minimal, pasword: 'x' }])).toThrow(
      /BOUNCER_MAILBOXES\[0\]\.pasword is not a mailbox setting/,
    );
    expect(() => parse([{ ...minimal, verp: 'bounces@example.com' }])).toThrow(
      /BOUNCER_MAILBOXES\[0\]\.verp must be an address pattern/,
    );
    expect(() => parse([{ ...minimal, pollSeconds: 0 }])).toThrow(/pollSeconds/);
    expect(() => parseConfig({ ...base, BOUNCER_BOUNCE_MAIL_VERP: 'x' })).toThrow(
      /BOUNCER_BOUNCE_MAIL_VERP must be an address pattern/,
    );
  });

  it('has no mailbox and a 10 MiB mail limit by default', () => {
    const c = parseConfig(base);
    expect(c.mailboxes).toEqual([]);
    expect(c.bounceMail).toEqual({
      bodyLimitBytes: 10 * 1024 * 1024,
      verp: null,
      offloadBytes: 64 * 1024,
      parseThreads: 2,
    });
  });
});
