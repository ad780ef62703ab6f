import { describe, expect, it } from 'vitest';
import { parseBounceMail } from '../../src/bouncemail/index.js';
import { corpusFile } from './helpers.js';

const parse = (path: string) => parseBounceMail(corpusFile(path));
const brief = (path: string) =>
  parse(path).recipients.map((r) => ({
    recipient: r.recipient,
    status: r.enhancedStatus,
    reason: r.fineReason,
    severity: r.severity,
  }));

describe('RFC 3464 delivery status notifications', () => {
  it('reads the recipient, status, diagnostic, remote MTA and original message of a DSN', () => {
    const p = parse('bsd/rfc3464-01.eml');
    expect(p.kind).toBe('bounce');
    expect(p.messageId).toBe('201310160515.r9G5FZh9018575@smtpgw.example.jp');
    expect(p.recipients).toHaveLength(1);
    expect(p.recipients[0]).toMatchObject({
      recipient: 'userunknown@bouncehammer.jp',
      action: 'failed',
      enhancedStatus: '5.1.1',
      smtpCode: '550',
      remoteMta: 'mx.bouncehammer.jp',
      originalMessageId: 'E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org',
      occurredAt: 1381900535000,
    });
    expect(p.recipients[0]?.originalHeaders['message-id']).toBe(
      '<E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org>',
    );
  });

  it('reads every recipient block of a Postfix DSN and the command from the notice', () => {
    expect(brief('bsd/lhost-postfix-02.eml')).toEqual([
      {
        recipient: 'filtered@example.co.jp',
        status: '5.2.1',
        reason: 'userunknown',
        severity: 'hard',
      },
      {
        recipient: 'userunknown@example.co.jp',
        status: '5.1.1',
        reason: 'userunknown',
        severity: 'hard',
      },
    ]);
  });

  it('tells a disabled mailbox from an unknown user in a Sendmail DSN', () => {
    expect(brief('bsd/lhost-sendmail-02.eml')).toEqual([
      {
        recipient: 'userunknown@example.org',
        status: '5.1.1',
        reason: 'userunknown',
        severity: 'hard',
      },
      { recipient: 'filtered@example.com', status: '5.2.1', reason: 'filtered', severity: 'soft' },
    ]);
  });

  it('classifies an SPF failure reported by Google as a sender-side authfailure', () => {
    expect(brief('bsd/rhost-google-03.eml')).toEqual([
      {
        recipient: 'kijitora@google.example.com',
        status: '5.7.26',
        reason: 'authfailure',
        severity: 'soft',
      },
    ]);
  });

  it('reads Exchange 2007 and Office 365 reports', () => {
    expect(brief('bsd/lhost-exchange2007-01.eml')).toEqual([
      {
        recipient: 'mikeneko@example.co.jp',
        status: '5.1.1',
        reason: 'userunknown',
        severity: 'hard',
      },
    ]);
    expect(brief('bsd/lhost-office365-02.eml')[0]).toMatchObject({
      status: '5.1.1',
      reason: 'userunknown',
      severity: 'hard',
    });
  });

  it('reads Amazon SES bounces', () => {
    expect(brief('bsd/lhost-amazonses-05.eml')).toEqual([
      {
        recipient: 'bounce@simulator.amazonses.com',
        status: '5.1.1',
        reason: 'userunknown',
        severity: 'hard',
      },
    ]);
  });
});

describe('non-standard MTA notices', () => {
  it('reads an Exim notice and sees the rejection was of the sender (after MAIL FROM)', () => {
    const r = parse('bsd/lhost-exim-01.eml').recipients;
    expect(
      r.map((x) => [x.recipient, x.enhancedStatus, x.smtpCode, x.fineReason, x.severity]),
    ).toEqual([['kijitora@example.ed.jp', '5.7.0', '550', 'blocked', 'soft']]);
    expect(r[0]?.originalMessageId).toBe('E1P1ce6-000Egt-GZ@e1.example.org');
  });

  it('reads Gmail, Yahoo and mFILTER (ISO-2022-JP) notices', () => {
    expect(brief('bsd/lhost-gmail-18.eml')).toEqual([
      {
        recipient: 'kijitora@example.or.jp',
        status: '5.1.1',
        reason: 'userunknown',
        severity: 'hard',
      },
    ]);
    expect(brief('bsd/lhost-yahoo-01.eml')).toEqual([
      {
        recipient: 'kijitora@example.org',
        status: '5.1.1',
        reason: 'userunknown',
        severity: 'hard',
      },
    ]);
    expect(brief('bsd/lhost-mfilter-01.eml')).toEqual([
      { recipient: 'kijitora@example.com', status: null, reason: 'filtered', severity: 'soft' },
    ]);
  });

  it('reads both recipients of an Exchange 2003 notice', () => {
    expect(brief('bsd/lhost-exchange2003-02.eml').map((r) => [r.recipient, r.reason])).toEqual([
      ['kijitora@example.co.jp', 'userunknown'],
      ['mikeneko@example.co.jp', 'userunknown'],
    ]);
  });
});

describe('feedback reports and auto-replies', () => {
  it('reads every Original-Rcpt-To of an ARF report as a complaint', () => {
    const p = parse('bsd/arf-16.eml');
    expect(p.kind).toBe('complaint');
    expect(p.recipients.map((r) => r.recipient)).toEqual([
      'kijitora@example.com',
      'sironeko@example.com',
      'mikeneko@example.com',
      'sabatora@example.com',
      'sirokiji@example.org',
      'kuroneko@example.com',
      'sabineko@example.com',
    ]);
    expect(
      p.recipients.every(
        (r) =>
          r.severity === 'complaint' && r.feedbackType === 'abuse' && r.fineReason === 'feedback',
      ),
    ).toBe(true);
  });

  it('keeps the ARF feedback type (opt-out)', () => {
    expect(parse('bsd/arf-12.eml').recipients[0]).toMatchObject({
      recipient: 'user@example.com',
      feedbackType: 'opt-out',
      severity: 'complaint',
    });
  });

  it('reads an RFC 3834 vacation reply as an autoreply with no severity', () => {
    const p = parse('bsd/rfc3834-01.eml');
    expect(p.kind).toBe('autoreply');
    expect(p.recipients[0]).toMatchObject({
      recipient: 'kijitora@example.net',
      fineReason: 'vacation',
      severity: 'none',
    });
  });

  it('finds nothing in mail that is not a bounce', () => {
    for (const f of [
      'not/is-not-bounce-01.eml',
      'not/is-not-bounce-02.eml',
      'not/rb-issue-368-bug.eml',
    ]) {
      expect(parse(f), f).toMatchObject({ kind: 'none', recipients: [] });
    }
  });
});

describe('line endings', () => {
  it('gives identical results for the CRLF and CR copies of a message', () => {
    // rawHash is about the input bytes (the copies differ beyond line ends), not the reading.
    const result = (path: string): string => JSON.stringify({ ...parse(path), rawHash: undefined });
    for (const f of [
      'rfc3464-01.eml',
      'lhost-exim-01.eml',
      'lhost-amazonworkmail-01.eml',
      'arf-01.eml',
      'lhost-x1-01.eml',
    ]) {
      const lf = result(`bsd/${f}`);
      expect(result(`dos/${f}`), f).toBe(lf);
      expect(result(`mac/${f}`), f).toBe(lf);
    }
  });
});

describe('large input', () => {
  it('parses a bounce carrying a 5 MB original quickly', () => {
    const head = corpusFile('bsd/lhost-exim-01.eml').toString('latin1');
    const big = Buffer.from(
      `${head}\n${'x'.repeat(76)}\n`
        .repeat(1)
        .concat(`${'QUJDREVGR0g='.repeat(6)}\n`.repeat(70_000)),
      'latin1',
    );
    const t0 = performance.now();
    const p = parseBounceMail(big);
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(p.recipients.map((r) => r.recipient)).toEqual(['kijitora@example.ed.jp']);
  });
});

describe('hostile input', () => {
  it('never throws on empty, binary or truncated input', () => {
    const samples: Buffer[] = [
      Buffer.alloc(0),
      Buffer.from('\r\n\r\n'),
      Buffer.from('Content-Type: multipart/report; boundary=\n\n--\n--'),
    ];
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    samples.push(Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256))));
    const whole = corpusFile('bsd/rfc3464-01.eml');
    for (let cut = 0; cut < whole.length; cut += 97) samples.push(whole.subarray(0, cut));
    for (const s of samples) expect(() => parseBounceMail(s)).not.toThrow();
    expect(parseBounceMail(Buffer.alloc(0))).toMatchObject({
      kind: 'none',
      recipients: [],
      messageId: null,
    });
  });
});
