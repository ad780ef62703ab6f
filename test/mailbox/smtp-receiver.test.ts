import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpReceiver } from '../../src/mailbox/smtp-receiver.js';
import { createSmtpIntake } from '../../src/services/ingest/smtp-intake.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { testDialects } from '../helpers/dialects.js';
import { dsnFor, selfSignedCert, sendRaw } from '../helpers/smtp-bounce.js';

const ENV = {
  BOUNCER_SMTP_DOMAINS: 'bounce.example.com',
  BOUNCER_BOUNCE_MAIL_VERP: 'rb+{local}={domain}@verp.example.net',
  BOUNCER_BOUNCE_MAIL_BODY_LIMIT_BYTES: '20000',
};

describe.each(testDialects())('SMTP bounce receiver (nodemailer client, %s)', (dialect) => {
  let t: TestApp | undefined;
  let receiver: SmtpReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    await t?.close().catch(() => undefined);
    receiver = undefined;
    t = undefined;
  });

  async function start(
    opts: { tls?: boolean; perIp?: number; perMinute?: number } = {},
  ): Promise<number> {
    t = await buildTestApp(dialect, { env: ENV });
    const tls = opts.tls ? selfSignedCert() : null;
    receiver = new SmtpReceiver(
      {
        host: '127.0.0.1',
        port: 0,
        sizeLimitBytes: t.config.bounceMail.bodyLimitBytes,
        tls: tls ? { cert: tls.cert, key: tls.key } : null,
        maxConnectionsPerIp: opts.perIp ?? 10,
        connectionsPerIpPerMinute: opts.perMinute ?? 1_000,
        logger: pino({ level: 'silent' }),
      },
      createSmtpIntake(t.services),
    );
    return (await receiver.listen()).port;
  }

  async function suppressed(address: string): Promise<boolean> {
    const row = await t!.tdb.db.kysely
      .selectFrom('suppressions')
      .select('address')
      .where('address', '=', address)
      .executeTakeFirst();
    return row !== undefined;
  }

  it('accepts a bounce for a bounce domain, stores it before 250 and the worker applies it', async () => {
    const port = await start();
    const r = await sendRaw(port, ['bounces@bounce.example.com'], dsnFor('gone@example.net'));
    expect(r).toMatchObject({ ok: true, code: 250 });
    expect(r.message).toMatch(/Queued as /);
    await t!.drain();
    expect(await suppressed('gone@example.net')).toBe(true);
  });

  it('accepts a VERP address and recovers the recipient from the envelope', async () => {
    const port = await start();
    // A report that names no recipient: only the VERP envelope address says who bounced.
    const raw = dsnFor('x', '5.1.1').replace(
      /Final-Recipient: rfc822; x/,
      'Final-Recipient: rfc822; <>',
    );
    const r = await sendRaw(port, ['rb+lost=example.org@verp.example.net'], raw);
    expect(r.ok).toBe(true);
    await t!.drain();
    expect(await suppressed('lost@example.org')).toBe(true);
  });

  it('refuses every other recipient at RCPT with 550 (no relay)', async () => {
    const port = await start();
    for (const to of [
      'someone@elsewhere.example',
      'bounces@sub.bounce.example.com',
      'rb+x@verp.example.net',
    ]) {
      const r = await sendRaw(port, [to], dsnFor('gone@example.net'));
      expect(r.code, to).toBe(550);
    }
    const rows = await t!.tdb.db.kysely.selectFrom('deliveries').select('id').execute();
    expect(rows).toEqual([]);
  });

  it('refuses a message over the size limit with 552 and stores nothing', async () => {
    const port = await start();
    const big = dsnFor('gone@example.net') + 'x'.repeat(76).concat('\r\n').repeat(400);
    const r = await sendRaw(port, ['bounces@bounce.example.com'], big);
    expect(r.code).toBe(552);
    const rows = await t!.tdb.db.kysely.selectFrom('deliveries').select('id').execute();
    expect(rows).toEqual([]);
  });

  it('answers 451 when the database is down, so the sending MTA retries', async () => {
    const port = await start();
    await t!.tdb.db.close();
    const r = await sendRaw(port, ['bounces@bounce.example.com'], dsnFor('gone@example.net'));
    expect(r.code).toBe(451);
  });

  it('offers STARTTLS with the configured certificate', async () => {
    const port = await start({ tls: true });
    const r = await sendRaw(port, ['bounces@bounce.example.com'], dsnFor('tls@example.net'), {
      requireTLS: true,
    });
    expect(r).toMatchObject({ ok: true, code: 250 });
  });

  it('refuses connections past the per-address limits with 421', async () => {
    const port = await start({ perMinute: 2 });
    const results = [];
    for (let i = 0; i < 3; i++)
      results.push(
        await sendRaw(port, ['bounces@bounce.example.com'], dsnFor(`r${i}@example.net`)),
      );
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(results[2]?.code).toBe(421);
  });
});
