import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { BouncerClient } from '../../src/client/index.js';
import {
  ALL_SUPPRESSED,
  REFUSED,
  UNAVAILABLE,
  bouncerInfo,
  bouncerPlugin,
  type BouncerPluginError,
} from '../../src/client/nodemailer.js';
import { testDialects } from '../helpers/dialects.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { closedPort, listen } from './server.js';

const FROM = 'shop@example.org';

function streamTransporter(plugin: ReturnType<typeof bouncerPlugin>) {
  const transporter = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
  });
  transporter.use('compile', plugin);
  return transporter;
}

const refusalOf = async (p: Promise<unknown>): Promise<BouncerPluginError> => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!err) throw new Error('the message was sent');
  return err as BouncerPluginError;
};

describe.each(testDialects())('the Nodemailer plugin against the real app on %s', (dialect) => {
  let t: TestApp;
  let baseUrl: string;
  let apiKey: string;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    baseUrl = await listen(t);
    apiKey = (await t.services.apiKeys.create('mailer', 'read')).key;
    const by = { actor: 'test', note: 'fixture' };
    await t.services.suppressions.suppress({
      ...by,
      address: 'hard@example.com',
      reason: 'hard_bounce',
    });
    await t.services.suppressions.suppress({
      ...by,
      address: 'unsub@example.com',
      reason: 'unsubscribe',
    });
  });
  afterAll(async () => t.close());

  it('removes suppressed recipients from to/cc/bcc and the envelope, and records them on info', async () => {
    const transporter = streamTransporter(bouncerPlugin({ baseUrl, apiKey }));
    const info = await transporter.sendMail({
      from: FROM,
      subject: 'Hello',
      text: 'Hi',
      to: '"Hard Case" <Hard@Example.com>, ok@example.com',
      cc: [{ name: 'Una', address: 'unsub@example.com' }],
      bcc: 'b@example.com',
    });
    expect(info.envelope.to).toEqual(['ok@example.com', 'b@example.com']);
    const raw = info.message.toString();
    expect(raw).toMatch(/^To: ok@example.com$/m);
    expect(raw).not.toMatch(/^Cc:/m);
    expect(raw).not.toMatch(/hard@example\.com|unsub@example\.com/i);
    expect(bouncerInfo(info)).toEqual({
      checked: 4,
      removed: [
        { address: 'Hard@Example.com', field: 'to', reason: 'hard_bounce', scope: '*' },
        { address: 'unsub@example.com', field: 'cc', reason: 'unsubscribe', scope: '*' },
      ],
    });
  });

  it('keeps unsubscribed recipients of transactional mail and filters an explicit envelope', async () => {
    const transporter = streamTransporter(
      bouncerPlugin({ client: new BouncerClient({ baseUrl, apiKey }), purpose: 'transactional' }),
    );
    const info = await transporter.sendMail({
      from: FROM,
      to: 'unsub@example.com',
      subject: 'Your receipt',
      text: 'Thanks',
      envelope: { from: FROM, to: ['unsub@example.com', 'hard@example.com'] },
    });
    expect(info.envelope.to).toEqual(['unsub@example.com']);
    expect(bouncerInfo(info)?.removed).toEqual([
      { address: 'hard@example.com', field: 'envelope', reason: 'hard_bounce', scope: '*' },
    ]);
  });

  it('refuses a message whose recipients are all suppressed, saying why', async () => {
    const transporter = streamTransporter(bouncerPlugin({ baseUrl, apiKey }));
    const err = await refusalOf(
      transporter.sendMail({
        from: FROM,
        to: 'hard@example.com',
        cc: 'unsub@example.com',
        subject: 's',
        text: 't',
      }),
    );
    expect(err.code).toBe(ALL_SUPPRESSED);
    expect(err.message).toBe(
      'Every recipient of this message is suppressed by Bouncer (hard_bounce, unsubscribe); it was not sent',
    );
    expect(err.bouncer?.removed.map((r) => r.reason)).toEqual(['hard_bounce', 'unsubscribe']);
  });

  it('delivers only the allowed recipients over real SMTP', async () => {
    const rcpts: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, cb) => {
        rcpts.push(address.address);
        cb();
      },
      onData: (stream, _session, cb) => {
        stream.resume();
        stream.on('end', () => cb());
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    try {
      const port = (smtp.server.address() as AddressInfo).port;
      const transporter = nodemailer.createTransport({
        host: '127.0.0.1',
        port,
        secure: false,
        ignoreTLS: true,
      });
      transporter.use('compile', bouncerPlugin({ baseUrl, apiKey }));
      const info = await transporter.sendMail({
        from: FROM,
        to: ['hard@example.com', 'c@example.com'],
        bcc: 'unsub@example.com',
        subject: 's',
        text: 't',
      });
      expect(rcpts).toEqual(['c@example.com']);
      expect(info.accepted).toEqual(['c@example.com']);
      expect(bouncerInfo(info)?.removed.map((r) => r.address)).toEqual([
        'hard@example.com',
        'unsub@example.com',
      ]);
      transporter.close();
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });

  it('refuses on a 4xx from Bouncer (a wrong key) even with failOpen', async () => {
    const transporter = streamTransporter(
      bouncerPlugin({ baseUrl, apiKey: 'wrong-key-0123456789', failOpen: true }),
    );
    const err = await refusalOf(
      transporter.sendMail({ from: FROM, to: 'c@example.com', subject: 's', text: 't' }),
    );
    expect(err.code).toBe(REFUSED);
    expect(err.message).toBe(
      'Bouncer could not check the recipients, the message was not sent: Authentication required',
    );
  });
});

describe('the Nodemailer plugin when Bouncer is unreachable', () => {
  it('fails closed by default, and sends unchanged with failOpen', async () => {
    const client = new BouncerClient({ baseUrl: await closedPort(), apiKey: 'k', retries: 0 });
    const closed = streamTransporter(bouncerPlugin({ client }));
    const err = await refusalOf(
      closed.sendMail({ from: FROM, to: 'hard@example.com', subject: 's', text: 't' }),
    );
    expect(err.code).toBe(UNAVAILABLE);
    expect(err.message).toMatch(
      /^Bouncer could not check the recipients, the message was not sent: Bouncer is unreachable/,
    );
    const open = streamTransporter(bouncerPlugin({ client, failOpen: true }));
    const info = await open.sendMail({
      from: FROM,
      to: 'hard@example.com',
      subject: 's',
      text: 't',
    });
    expect(info.envelope.to).toEqual(['hard@example.com']);
    expect(bouncerInfo(info)).toMatchObject({
      removed: [],
      checked: 1,
      skipped: { code: 'BOUNCER_CLIENT_NETWORK' },
    });
  });
});
