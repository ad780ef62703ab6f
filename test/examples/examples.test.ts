import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { BouncerClient } from '../../src/client/index.js';
import { sendIfAllowed } from '../../examples/check-before-send.js';
import { filterCampaign, readNdjson, type Recipient } from '../../examples/filter-campaign.js';
import { createTransporter, sendNewsletter } from '../../examples/nodemailer-plugin.js';
import { testDialects } from '../helpers/dialects.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { listen } from '../client/server.js';

/** The examples of docs/sending.md, run against the real app. */
describe.each(testDialects())('the integration examples on %s', (dialect) => {
  let t: TestApp;
  let bouncer: { baseUrl: string; apiKey: string };
  let client: BouncerClient;
  let dir: string;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    bouncer = {
      baseUrl: await listen(t),
      apiKey: (await t.services.apiKeys.create('examples', 'read')).key,
    };
    client = new BouncerClient(bouncer);
    dir = mkdtempSync(join(tmpdir(), 'bouncer-examples-'));
    const by = { actor: 'test', note: 'fixture' };
    await t.services.suppressions.suppress({
      ...by,
      address: 'jane@example.com',
      reason: 'hard_bounce',
    });
    await t.services.suppressions.suppress({
      ...by,
      address: 'newsletter-only@example.com',
      reason: 'unsubscribe',
    });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('check before send: sends to the allowed, skips the suppressed with the reason', async () => {
    const sent: string[] = [];
    const send = async (to: string): Promise<void> => void sent.push(to);
    expect(await sendIfAllowed(client, 'joe@example.com', send)).toEqual({ sent: true });
    expect(await sendIfAllowed(client, 'newsletter-only@example.com', send)).toEqual({
      sent: true,
    }); // transactional
    expect(await sendIfAllowed(client, 'jane@example.com', send)).toMatchObject({
      sent: false,
      why: expect.stringMatching(/^suppressed: hard_bounce since /) as unknown,
    });
    expect(sent).toEqual(['joe@example.com', 'newsletter-only@example.com']);
  });

  it('filter a campaign list: streams a file through and writes the allowed rows', async () => {
    const list = join(dir, 'list.ndjson');
    const rows: Recipient[] = [
      { email: 'jane@example.com', name: 'Jane' },
      { email: 'joe@example.com', name: 'Joe' },
      { email: 'newsletter-only@example.com' },
    ];
    writeFileSync(list, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const out = join(dir, 'allowed.ndjson');
    const summary = await filterCampaign(client, readNdjson<Recipient>(list), out);
    expect(summary).toEqual({
      total: 3,
      allowed: 1,
      suppressed: 2,
      invalid: 0,
      by_reason: { hard_bounce: 1, unsubscribe: 1 },
    });
    expect(readFileSync(out, 'utf8')).toBe('{"email":"joe@example.com","name":"Joe"}\n');
  });

  it('nodemailer plugin: sends to the allowed and explains a refusal', async () => {
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (s, _x, cb) => s.resume().on('end', () => cb()),
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    try {
      const port = (smtp.server.address() as AddressInfo).port;
      const transporter = createTransporter(bouncer, {
        host: '127.0.0.1',
        port,
        secure: false,
        ignoreTLS: true,
      });
      expect(await sendNewsletter(transporter, ['jane@example.com', 'joe@example.com'])).toBe(
        'sent to 1, removed 1 (hard_bounce)',
      );
      expect(
        await sendNewsletter(transporter, ['jane@example.com', 'newsletter-only@example.com']),
      ).toBe(
        'not sent: Every recipient of this message is suppressed by Bouncer (hard_bounce, unsubscribe); it was not sent',
      );
      transporter.close();
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});
