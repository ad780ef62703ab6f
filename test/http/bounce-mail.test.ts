import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';
import { testDialects } from '../helpers/dialects.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/bounce-mail');
const DSN = readFileSync(join(FIXTURES, 'rfc3464-dsn.eml'));
const UNREADABLE = 'From: a@example.org\r\nSubject: not a bounce\r\n\r\nhello\r\n';

describe.each(testDialects())('POST /webhooks/bounce-mail on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      env: {
        BOUNCER_BOUNCE_MAIL_BODY_LIMIT_BYTES: '65536',
        BOUNCER_BOUNCE_MAIL_VERP: 'bounces+{local}={domain}@sender.example',
      },
    });
  });
  afterAll(async () => t.close());

  const post = (
    payload: Buffer | string,
    headers: Record<string, string> = auth(),
    contentType = 'message/rfc822',
  ) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/bounce-mail',
      payload,
      headers: { 'content-type': contentType, ...headers },
    });

  it('accepts a raw DSN and the worker suppresses the failed recipient', async () => {
    const res = await post(DSN);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 1 });
    await t.drain();
    expect(await t.services.suppressions.status('unknown.user@example.net')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'hard_bounce', source: 'bounce-mail' }],
    });
  });

  it('accepts any content type, since MTAs and scripts label mail differently', async () => {
    const res = await post(DSN, auth(), 'text/plain');
    expect(res.statusCode).toBe(200);
  });

  it('stores an unreadable message as a dead delivery that can be inspected and replayed', async () => {
    const res = await post(UNREADABLE);
    expect(res.statusCode).toBe(202);
    const body = res.json<{ status: string; delivery_id: string }>();
    expect(body.status).toBe('stored_unparseable');
    const stored = await t.services.deliveries.get(body.delivery_id);
    expect(stored).toMatchObject({ status: 'dead', body: UNREADABLE });
    expect(await t.services.deliveries.replay({ ids: [body.delivery_id] })).toEqual({
      requeued: 1,
      missing: [],
    });
  });

  it('reads the recipient from the VERP address when the notice names none', async () => {
    const notice = [
      'From: MAILER-DAEMON@mx.example.net',
      'To: bounces+verp.user=example.org@sender.example',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <verp-http@mx.example.net>',
      '',
      'Your message could not be delivered.',
      'Reason: 550 5.1.1 user unknown',
      '',
    ].join('\r\n');
    const res = await post(notice);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 1 });
    await t.drain();
    expect(await t.services.suppressions.status('verp.user@example.org')).toMatchObject({
      suppressed: true,
    });
  });

  it('requires a write-scoped API key', async () => {
    expect((await post(DSN, {})).statusCode).toBe(401);
  });

  it('refuses a message over the configured body limit with 413', async () => {
    const res = await post(Buffer.alloc(70_000, 'a'));
    expect(res.statusCode).toBe(413);
  });
});
