import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pop3Client, Pop3Error, type Pop3Security } from '../../src/mailbox/index.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { skipLeg } from '../helpers/legs.js';

const MESSAGE = [
  'From: a@example.com',
  'To: b@example.com',
  'Subject: dots',
  'Message-ID: <dots@example.com>',
  '',
  'A line.',
  '.starts with a dot',
  '..starts with two',
  '.',
  'last',
  '',
].join('\r\n');

describe.skipIf(skipLeg('dovecot'))('POP3 client against Dovecot', () => {
  let dovecot: Dovecot;
  beforeAll(async () => {
    dovecot = await startDovecot({ tls: true });
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  const connect = async (
    security: Pop3Security = 'none',
    port = dovecot.pop3Port,
  ): Promise<Pop3Client> => {
    const client = await Pop3Client.connect({
      host: dovecot.host,
      port,
      security,
      rejectUnauthorized: false,
      timeoutMs: 10_000,
    });
    await client.login(dovecot.user, dovecot.password);
    return client;
  };

  it('lists, retrieves byte-exact and deletes only when QUIT commits', async () => {
    dovecot.deliver(MESSAGE);
    dovecot.deliver('Subject: second\r\n\r\nbody\r\n');
    const client = await connect();
    expect(await client.stat()).toMatchObject({ count: 2 });
    const ids = await client.uidl();
    expect(ids.map((i) => i.number)).toEqual([1, 2]);
    expect(new Set(ids.map((i) => i.uid)).size).toBe(2);
    const sizes = await client.list();
    expect(sizes.size).toBe(2);
    const raw = await client.retr(1);
    expect(raw.toString('latin1')).toBe(MESSAGE);
    await client.dele(1);
    // Without QUIT the deletion is rolled back by the server.
    client.destroy();
    const again = await connect();
    expect((await again.stat()).count).toBe(2);
    await again.dele(1);
    await again.dele(2);
    await again.quit();
    const third = await connect();
    expect(await third.stat()).toEqual({ count: 0, size: 0 });
    expect(await third.uidl()).toEqual([]);
    await third.quit();
  });

  it('upgrades a plain connection with STLS', async () => {
    dovecot.deliver('Subject: over tls\r\n\r\nhello\r\n');
    const client = await connect('starttls');
    expect((await client.stat()).count).toBe(1);
    expect((await client.retr(1)).toString()).toContain('over tls');
    await client.dele(1);
    await client.quit();
  });

  it('speaks implicit TLS on the pop3s port', async () => {
    const client = await connect('tls', dovecot.pop3sPort);
    expect((await client.stat()).count).toBe(0);
    await client.quit();
  });

  it('rejects a self-signed certificate unless told otherwise', async () => {
    const err = await Pop3Client.connect({
      host: dovecot.host,
      port: dovecot.pop3sPort,
      security: 'tls',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Pop3Error);
    expect(String((err as Error).message)).toMatch(/self.signed|certificate/i);
  });

  it('fails clearly when nothing listens', async () => {
    const err = await Pop3Client.connect({ host: '127.0.0.1', port: 1, security: 'none' }).catch(
      (e: unknown) => e,
    );
    expect(String((err as Error).message)).toMatch(/cannot connect to 127\.0\.0\.1:1/);
  });

  // Last: Dovecot delays later logins from an address that just failed one.
  it('reports a wrong password as a refusal without echoing the password', async () => {
    const client = await Pop3Client.connect({
      host: dovecot.host,
      port: dovecot.pop3Port,
      security: 'none',
    });
    const err = await client.login(dovecot.user, 'wrong-secret-value').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Pop3Error);
    expect(String((err as Error).message)).toMatch(/^PASS refused/);
    expect(String((err as Error).message)).not.toContain('wrong-secret-value');
    client.destroy();
  });
});
