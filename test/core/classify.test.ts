import { describe, expect, it } from 'vitest';
import {
  classifyBounce,
  commandOf,
  fineReasonOf,
  normaliseStatus,
  statusReason,
} from '../../src/core/classify.js';

describe('classifyBounce', () => {
  it('classifies an unknown user at RCPT as a hard userunknown bounce', () => {
    const c = classifyBounce({
      enhancedStatus: '5.1.1',
      smtpCode: '550',
      diagnostic:
        '550 5.1.1 <a@example.com>: Recipient address rejected: User unknown in local recipient table',
    });
    expect(c).toEqual({ fineReason: 'userunknown', severity: 'hard', suppression: 'hard_bounce' });
  });

  it('counts a full mailbox as a soft bounce even when the status says 5.1.1', () => {
    const c = classifyBounce({ enhancedStatus: '5.1.1', diagnostic: '552 mailbox is full' });
    expect(c.fineReason).toBe('mailboxfull');
    expect(c.suppression).toBe('soft_bounce');
  });

  it('reads "user unknown" answered after DATA as a content filter, not as the address', () => {
    const c = classifyBounce({
      diagnostic: '550 unknown user <a@example.com>',
      smtpCommand: 'DATA',
    });
    expect(c.fineReason).toBe('filtered');
    expect(c.severity).toBe('soft');
  });

  it('reads "user unknown" without a command as the address for webhooks and as a filter in bounce mails', () => {
    expect(classifyBounce({ diagnostic: '550 unknown user' }).fineReason).toBe('userunknown');
    expect(classifyBounce({ diagnostic: '550 unknown user', smtpCommand: null }).fineReason).toBe(
      'filtered',
    );
    expect(
      classifyBounce({ diagnostic: 'The recipient name is not recognized', smtpCommand: null })
        .fineReason,
    ).toBe('userunknown');
  });

  it('never suppresses the recipient for sender-side failures', () => {
    for (const diagnostic of [
      '554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org',
      '550 5.7.1 This message has been scored as spam with a probability of more than 90%',
      "550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy",
      '550 5.7.25 The IP address sending this message does not have a PTR record setup',
      '421 4.7.0 Too many connections from your IP, rate limit exceeded',
    ]) {
      expect(classifyBounce({ diagnostic }).suppression, diagnostic).toBeNull();
    }
  });

  it('treats an unknown domain as hard and a temporary DNS failure as a soft network error', () => {
    expect(
      classifyBounce({ enhancedStatus: '5.1.2', diagnostic: 'Host or domain name not found' })
        .fineReason,
    ).toBe('hostunknown');
    const temp = classifyBounce({
      enhancedStatus: '4.0.0',
      diagnostic: "DNS Error: DNS type 'mx' lookup of example.jp responded with code NXDOMAIN",
    });
    expect(temp.fineReason).toBe('networkerror');
    expect(temp.suppression).toBe('soft_bounce');
  });

  it('reads a queue timeout as expired', () => {
    expect(
      classifyBounce({
        enhancedStatus: '4.4.7',
        diagnostic:
          'Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>',
      }).fineReason,
    ).toBe('expired');
    expect(classifyBounce({ diagnostic: 'delivery attempt', action: 'delayed' }).fineReason).toBe(
      'expired',
    );
  });

  it('maps too many recipients to ratelimited and a size refusal to emailtoolarge', () => {
    expect(classifyBounce({ diagnostic: '552 Too many recipients' }).fineReason).toBe(
      'ratelimited',
    );
    expect(
      classifyBounce({ enhancedStatus: '5.3.4', diagnostic: 'Message too big for system' })
        .fineReason,
    ).toBe('emailtoolarge');
  });

  it('tells a sending quota from a mailbox quota', () => {
    expect(
      classifyBounce({ diagnostic: 'Throttling failure: Daily message quota exceeded.' })
        .fineReason,
    ).toBe('ratelimited');
    expect(classifyBounce({ diagnostic: '552 5.2.2 Mailbox quota exceeded' }).fineReason).toBe(
      'mailboxfull',
    );
  });

  it('reads provider codes and sentences that carry their own meaning', () => {
    expect(
      classifyBounce({
        diagnostic:
          '550 5.1.1 RCP-P2 http://postmaster.facebook.com/response_codes Refused due to recipient preferences',
      }).fineReason,
    ).toBe('filtered');
    expect(
      classifyBounce({
        diagnostic: '552 5.1.1 Boite du destinataire pleine. Recipient overquota. OFR_417 [417]',
      }).fineReason,
    ).toBe('mailboxfull');
    expect(
      classifyBounce({
        diagnostic:
          '421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints',
      }).fineReason,
    ).toBe('rejected');
    expect(
      classifyBounce({ diagnostic: '550 5.1.6 recipient no longer on server: a@icloud.com' }),
    ).toMatchObject({ fineReason: 'hasmoved', severity: 'hard' });
  });

  it("applies a provider rule only to that provider's recipients or servers", () => {
    const d = '550 <a@ezweb.ne.jp>: User unknown';
    expect(
      classifyBounce({
        diagnostic: '550 : User unknown',
        smtpCommand: null,
        recipientDomain: 'ezweb.ne.jp',
      }).fineReason,
    ).toBe('filtered');
    expect(
      classifyBounce({ diagnostic: d, smtpCommand: null, recipientDomain: 'ezweb.ne.jp' })
        .fineReason,
    ).toBe('userunknown');
    const aol =
      'Name service error for name=example.org type=MX: Malformed or unexpected name server reply';
    expect(
      classifyBounce({
        diagnostic: aol,
        enhancedStatus: '5.4.4',
        reportingHost: 'omr-a015e.mx.aol.com',
      }).fineReason,
    ).toBe('notaccept');
    expect(
      classifyBounce({ diagnostic: aol, enhancedStatus: '5.4.4', reportingHost: 'mx.example.net' })
        .fineReason,
    ).toBe('networkerror');
  });

  it('treats a null MX as a hard notaccept only when permanent', () => {
    expect(
      classifyBounce({ enhancedStatus: '5.1.10', diagnostic: 'Recipient address has null MX' }),
    ).toEqual({ fineReason: 'notaccept', severity: 'hard', suppression: 'hard_bounce' });
  });

  it('reports delivered for a 2.x.x status and onhold for text it cannot read', () => {
    expect(classifyBounce({ enhancedStatus: '2.1.5', diagnostic: '250 OK' }).fineReason).toBe(
      'delivered',
    );
    expect(classifyBounce({ diagnostic: 'something odd happened' }).fineReason).toBe('onhold');
    expect(classifyBounce({}).fineReason).toBe('undefined');
  });

  it('trusts the provider verdict when the text says nothing', () => {
    expect(classifyBounce({ providerSeverity: 'hard' })).toMatchObject({
      severity: 'hard',
      suppression: 'hard_bounce',
    });
    expect(classifyBounce({ providerSeverity: 'soft' })).toMatchObject({
      severity: 'soft',
      suppression: 'soft_bounce',
    });
  });

  it('keeps a specific reason the caller already knows', () => {
    expect(fineReasonOf({ knownReason: 'suspend', diagnostic: 'user unknown' })).toBe('suspend');
  });
});

describe('status and command helpers', () => {
  it('normalises enhanced status codes and names their reason', () => {
    expect(normaliseStatus('Status: 5.01.001 (x)')).toBe('5.1.1');
    expect(normaliseStatus('550 OK')).toBeNull();
    expect(statusReason('5.2.2')).toBe('mailboxfull');
    expect(statusReason('5.7.1')).toBe('securityerror');
    expect(statusReason('5.0.0')).toBe('');
  });

  it('finds the SMTP command a failure answered', () => {
    expect(commandOf('SMTP error from remote mail server after RCPT TO:<a@b.example>:')).toBe(
      'RCPT',
    );
    expect(commandOf('550 5.7.1 Access denied (in reply to MAIL FROM command)')).toBe('MAIL');
    expect(commandOf('554 rejected (in reply to end of DATA command)')).toBe('DATA');
    expect(commandOf('no command here')).toBeNull();
  });
});
