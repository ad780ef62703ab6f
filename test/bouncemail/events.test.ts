import { describe, expect, it } from 'vitest';
import { bounceMailToEvents, parseBounceMail } from '../../src/bouncemail/index.js';
import { recipientFromVerp } from '../../src/bouncemail/verp.js';
import { bounceMail } from './helpers.js';

const RECEIVED_AT = 1_700_000_000_000;

describe('bounceMailToEvents', () => {
  it('turns a hard bounce into a bounce event with the hard_bounce reason and a stable dedup key', () => {
    const parsed = parseBounceMail(bounceMail('rfc3464-dsn.eml'));
    const events = bounceMailToEvents(parsed, { receivedAt: RECEIVED_AT });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'bounce',
      channel: 'email',
      address: 'unknown.user@example.net',
      reason: 'hard_bounce',
      severity: 'hard',
      fineReason: 'userunknown',
      enhancedStatus: '5.1.1',
      smtpCode: '550',
      occurredAt: Date.UTC(2026, 2, 3, 9, 15, 39),
      scope: '*',
      providerMessageId: 'march-issue-0001@sender.example',
    });
    const again = bounceMailToEvents(parseBounceMail(bounceMail('rfc3464-dsn.eml')), {
      receivedAt: RECEIVED_AT + 1,
    });
    expect(again[0]?.dedupKey).toBe(events[0]?.dedupKey);
  });

  it('gives sender-side failures no suppression reason', () => {
    const events = bounceMailToEvents(parseBounceMail(bounceMail('exim-sender-blocked.eml')), {
      receivedAt: RECEIVED_AT,
    });
    expect(events[0]).toMatchObject({
      type: 'bounce',
      fineReason: 'blocked',
      reason: null,
      severity: 'soft',
    });
  });

  it('turns ARF abuse reports into complaints and opt-out reports into unsubscribes', () => {
    const abuse = bounceMailToEvents(parseBounceMail(bounceMail('arf-abuse-several.eml')), {
      receivedAt: RECEIVED_AT,
    });
    expect(abuse).toHaveLength(3);
    expect(abuse.every((e) => e.type === 'complaint' && e.reason === 'spam_complaint')).toBe(true);
    expect(new Set(abuse.map((e) => e.dedupKey)).size).toBe(3);
    const optOut = bounceMailToEvents(parseBounceMail(bounceMail('arf-opt-out.eml')), {
      receivedAt: RECEIVED_AT,
    });
    expect(optOut[0]).toMatchObject({
      type: 'unsubscribe',
      reason: 'unsubscribe',
      address: 'leaving.reader@mailbox.example',
      occurredAt: Date.UTC(2026, 2, 5, 7, 58, 12),
    });
  });

  it('turns a delay notice into a deferred event without a suppression reason', () => {
    const events = bounceMailToEvents(parseBounceMail(bounceMail('rfc3464-delayed.eml')), {
      receivedAt: RECEIVED_AT,
    });
    expect(events[0]).toMatchObject({
      type: 'deferred',
      reason: null,
      address: 'slow.inbox@example.net',
    });
  });

  it('produces nothing for auto-replies and delivered notices', () => {
    expect(
      bounceMailToEvents(parseBounceMail(bounceMail('rfc3834-vacation.eml')), {
        receivedAt: RECEIVED_AT,
      }),
    ).toEqual([]);
    expect(
      bounceMailToEvents(parseBounceMail(bounceMail('rfc3464-delivered.eml')), {
        receivedAt: RECEIVED_AT,
      }),
    ).toEqual([]);
  });

  it('keys reports without a Message-ID by the hash of their bytes', () => {
    const parsed = { ...parseBounceMail(bounceMail('rfc3464-dsn.eml')), messageId: null };
    const other = {
      ...parseBounceMail(bounceMail('postfix.eml')),
      messageId: null,
      recipients: parsed.recipients,
    };
    const a = bounceMailToEvents(parsed, { receivedAt: RECEIVED_AT });
    const b = bounceMailToEvents(other, { receivedAt: RECEIVED_AT });
    expect(parsed.rawHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a[0]?.dedupKey).not.toBe(b[0]?.dedupKey);
  });
});

describe('VERP', () => {
  it('recovers the recipient from a VERP address', () => {
    expect(
      recipientFromVerp('bounces+{local}={domain}@example.com', [
        'Bounces <bounces+jane.doe=example.org@example.com>',
      ]),
    ).toBe('jane.doe@example.org');
    expect(
      recipientFromVerp('bounces+{local}={domain}@example.com', ['other@example.com']),
    ).toBeNull();
  });

  it('names the recipient from the VERP To when the report itself names none', () => {
    const raw = Buffer.from(
      [
        'From: MAILER-DAEMON@mx.example.net',
        'To: bounces+jane=example.org@sender.example',
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <verp-1@mx.example.net>',
        '',
        'Your message could not be delivered.',
        'Reason: 550 5.2.2 mailbox full',
        '',
      ].join('\n'),
    );
    expect(parseBounceMail(raw).recipients).toEqual([]);
    const p = parseBounceMail(raw, { verp: 'bounces+{local}={domain}@sender.example' });
    expect(p.kind).toBe('bounce');
    expect(p.recipients[0]).toMatchObject({
      recipient: 'jane@example.org',
      enhancedStatus: '5.2.2',
      fineReason: 'mailboxfull',
      severity: 'soft',
    });
  });
});
