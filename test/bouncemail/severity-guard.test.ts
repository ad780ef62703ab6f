import { describe, expect, it } from 'vitest';
import { parseBounceMail } from '../../src/bouncemail/index.js';
import { guardRecipientFault } from '../../src/bouncemail/severity-guard.js';
import { bounceMail } from './helpers.js';

const brief = (name: string) =>
  parseBounceMail(bounceMail(name)).recipients.map((r) => ({
    recipient: r.recipient,
    reason: r.fineReason,
    severity: r.severity,
  }));

// A soft failure read as hard suppresses a good address for ever: each class of that error has
// a mail written for it.
describe('soft failures are never read as hard', () => {
  it('a refusal of MAIL FROM ("No such user" about the sender) is not an unknown recipient', () => {
    expect(brief('soft-mail-from-rejected.eml')).toEqual([
      { recipient: 'friend@example.net', reason: 'rejected', severity: 'soft' },
    ]);
  });

  it('"Host not found, try again" is a transient DNS failure, not an unknown host', () => {
    expect(brief('soft-dns-try-again.eml')).toEqual([
      { recipient: 'someone@example.net', reason: 'networkerror', severity: 'soft' },
    ]);
  });

  it('4xx replies and 4.x.x statuses stay soft when only weak words hint at an unknown address', () => {
    const got = brief('soft-4xx-weak-hint.eml');
    expect(got.map((r) => r.recipient)).toEqual(['first@example.net', 'second@example.net']);
    expect(got.every((r) => r.severity === 'soft')).toBe(true);
  });

  it.each([
    'sendmail-two-transcript.eml',
    'sendmail-two-transcript-dsn.eml',
    'postfix-adjacent-recipients.eml',
  ])("one recipient's diagnostic lines do not bleed into the next one's (%s)", (name) => {
    expect(brief(name).map((r) => r.severity)).toEqual(['soft', 'hard']);
  });

  it('a full disk in the notice wins over the stock 5.1.1 of the DSN part', () => {
    expect(brief('rfc3464-notice-disk-full.eml')).toEqual([
      { recipient: 'full@example.net', reason: 'mailboxfull', severity: 'soft' },
    ]);
  });
});

describe('guardRecipientFault', () => {
  const g = { status: null, smtpCode: null, diagnostic: null, command: null };
  it("keeps a temporary reply hard only on a recipient lookup's own words", () => {
    expect(
      guardRecipientFault('userunknown', {
        ...g,
        status: '4.1.1',
        diagnostic:
          '450 4.1.1 <a@b.example>: Recipient address rejected: User unknown in local recipient table',
      }),
    ).toBe('userunknown');
    expect(
      guardRecipientFault('userunknown', { ...g, smtpCode: '450', diagnostic: '450 mailbox busy' }),
    ).toBe('onhold');
  });

  it('reads advice to check the domain as still permanent', () => {
    expect(
      guardRecipientFault('hostunknown', {
        ...g,
        status: '5.4.4',
        diagnostic: '554 the domain is not reachable. Please check the domain and try again',
      }),
    ).toBe('hostunknown');
  });

  it('leaves reasons that suppress nothing alone', () => {
    expect(guardRecipientFault('mailboxfull', { ...g, command: 'MAIL' })).toBe('mailboxfull');
  });
});
