import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/core/errors.js';
import { createBounceMailAdapter } from '../../../src/providers/bounce-mail/bounce-mail.adapter.js';
import type { WebhookRequest } from '../../../src/providers/types.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/bounce-mail');
const ctx = { defaultPhoneRegion: 'US' };
const adapter = createBounceMailAdapter({ verp: null });
const request = (
  rawBody: Buffer | string,
  params: Record<string, string> = {},
): WebhookRequest => ({
  rawBody: Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody),
  headers: { 'content-type': 'message/rfc822' },
  url: '/webhooks/bounce-mail',
  params,
  receivedAt: Date.UTC(2026, 0, 1),
});

describe('bounce-mail adapter', () => {
  it('turns an RFC 3464 DSN into a hard bounce for the failed recipient', () => {
    const r = adapter.parse(request(readFileSync(join(FIXTURES, 'rfc3464-dsn.eml'))), ctx);
    expect(r.kind).toBe('events');
    if (r.kind !== 'events') return;
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({
      type: 'bounce',
      channel: 'email',
      address: 'unknown.user@example.net',
      reason: 'hard_bounce',
      severity: 'hard',
      details: { source: 'bounce-mail' },
    });
  });

  it('turns an ARF report into a complaint', () => {
    const r = adapter.parse(request(readFileSync(join(FIXTURES, 'arf-abuse.eml'))), ctx);
    expect(r).toMatchObject({
      kind: 'events',
      events: [{ type: 'complaint', reason: 'spam_complaint' }],
    });
  });

  it('names the mailbox a message came from in the events', () => {
    const r = adapter.parse(
      request(readFileSync(join(FIXTURES, 'postfix.eml')), { mailbox: 'support' }),
      ctx,
    );
    expect(r).toMatchObject({
      kind: 'events',
      events: [
        { address: 'no.such.user@example.com', details: { source: 'mailbox:support' } },
        { address: 'full.mailbox@example.com', details: { source: 'mailbox:support' } },
      ],
    });
  });

  it('ignores an auto-reply: understood, nothing to suppress', () => {
    expect(
      adapter.parse(request(readFileSync(join(FIXTURES, 'rfc3834-vacation.eml'))), ctx),
    ).toEqual({
      kind: 'ignored',
      reason: 'auto-reply',
    });
  });

  it('throws a ParseError for a message with no bounce in it, and for an empty body', () => {
    expect(() => adapter.parse(request('Subject: hello\r\n\r\nJust saying hi.\r\n'), ctx)).toThrow(
      ParseError,
    );
    expect(() => adapter.parse(request(''), ctx)).toThrow(/empty/);
  });

  it('gives the same bytes the same dedup keys, so a re-ingested message adds no event', () => {
    const raw = readFileSync(join(FIXTURES, 'rfc3464-dsn.eml'))
      .toString('latin1')
      .replace(/^Message-Id:.*\r?\n/im, '');
    const keys = () => {
      const r = adapter.parse({ ...request(raw), receivedAt: Date.now() }, ctx);
      return r.kind === 'events' ? r.events.map((e) => e.dedupKey) : [];
    };
    expect(keys()).toHaveLength(1);
    expect(keys()).toEqual(keys());
  });
});
