import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBounceMail } from '../../src/bouncemail/index.js';
import { bounceMail, withLineEnds } from './helpers.js';

const parse = (name: string) => parseBounceMail(bounceMail(name));
const brief = (name: string) =>
  parse(name).recipients.map((r) => ({
    recipient: r.recipient,
    status: r.enhancedStatus,
    reason: r.fineReason,
    severity: r.severity,
  }));

describe('RFC 3464 delivery status notifications', () => {
  it('reads the recipient, status, diagnostic, remote MTA and original message of a DSN', () => {
    const p = parse('rfc3464-dsn.eml');
    expect(p.kind).toBe('bounce');
    expect(p.messageId).toBe('dsn-3464-0001@mta.example.org');
    expect(p.recipients).toHaveLength(1);
    expect(p.recipients[0]).toMatchObject({
      recipient: 'unknown.user@example.net',
      action: 'failed',
      enhancedStatus: '5.1.1',
      smtpCode: '550',
      remoteMta: 'mx.example.net',
      originalMessageId: 'march-issue-0001@sender.example',
      fineReason: 'userunknown',
      severity: 'hard',
      // Last-Attempt-Date: Tue, 03 Mar 2026 09:15:39 +0000
      occurredAt: Date.UTC(2026, 2, 3, 9, 15, 39),
    });
    expect(p.recipients[0]?.originalHeaders['message-id']).toBe(
      '<march-issue-0001@sender.example>',
    );
  });

  it('reads every recipient block of a Postfix DSN, each with its own status and reason', () => {
    expect(brief('postfix.eml')).toEqual([
      {
        recipient: 'no.such.user@example.com',
        status: '5.1.1',
        reason: 'userunknown',
        severity: 'hard',
      },
      {
        recipient: 'full.mailbox@example.com',
        status: '5.2.2',
        reason: 'mailboxfull',
        severity: 'soft',
      },
    ]);
    expect(parse('postfix.eml').recipients[0]?.diagnostic).toContain(
      '(in reply to RCPT TO command)',
    );
  });

  it('reads a delay notice as a delayed, soft failure and a success notice as no failure', () => {
    expect(parse('rfc3464-delayed.eml').recipients).toMatchObject([
      {
        recipient: 'slow.inbox@example.net',
        action: 'delayed',
        enhancedStatus: '4.4.1',
        severity: 'soft',
      },
    ]);
    expect(parse('rfc3464-delivered.eml').recipients).toMatchObject([
      {
        recipient: 'happy.reader@example.net',
        action: 'delivered',
        fineReason: 'delivered',
        severity: 'none',
      },
    ]);
  });

  it('reads an Amazon SES bounce notification sent by e-mail (the SNS envelope around it)', () => {
    expect(parse('amazonses.eml').recipients).toMatchObject([
      {
        recipient: 'ses.unknown@example.com',
        enhancedStatus: '5.1.1',
        fineReason: 'userunknown',
        severity: 'hard',
        occurredAt: Date.parse('2026-03-06T10:00:05.000Z'),
      },
    ]);
  });
});

describe('non-standard MTA notices', () => {
  it('reads an Exim notice rejected after RCPT TO as an unknown user, with the returned message', () => {
    const r = parse('exim.eml').recipients;
    expect(
      r.map((x) => [x.recipient, x.enhancedStatus, x.smtpCode, x.fineReason, x.severity]),
    ).toEqual([['gone.away@example.org', '5.1.1', '550', 'userunknown', 'hard']]);
    expect(r[0]?.originalMessageId).toBe('march-issue-0010@sender.example');
  });

  it('sees that an Exim rejection after MAIL FROM was of the sender, not the recipient', () => {
    expect(brief('exim-sender-blocked.eml')).toEqual([
      { recipient: 'reader@example.org', status: '5.7.1', reason: 'blocked', severity: 'soft' },
    ]);
  });

  it("reads an old Gmail notice's (state N) as the SMTP step that failed", () => {
    expect(brief('gmail.eml')).toEqual([
      {
        recipient: 'no.account@example.com',
        status: null,
        reason: 'userunknown',
        severity: 'hard',
      },
    ]);
    // State 15 is DATA: the same words after DATA are a content filter's.
    const afterData = Buffer.from(
      bounceMail('gmail.eml').toString('latin1').replace('(state 14)', '(state 15)'),
      'latin1',
    );
    expect(parseBounceMail(afterData).recipients[0]).toMatchObject({
      fineReason: 'filtered',
      severity: 'soft',
    });
  });

  it('reads a plain-text notice with the generic reader (an Exchange-style NDR)', () => {
    expect(brief('notice-generic.eml')).toEqual([
      {
        recipient: 'lost.reader@example.com',
        status: '5.1.1',
        reason: 'userunknown',
        severity: 'hard',
      },
    ]);
  });

  it('reads a notice written in ISO-2022-JP', () => {
    expect(brief('notice-iso-2022-jp.eml')).toEqual([
      {
        recipient: 'taro.full@example.jp',
        status: '5.2.2',
        reason: 'mailboxfull',
        severity: 'soft',
      },
    ]);
  });

  it('falls back to X-Failed-Recipients when the text names no address', () => {
    expect(brief('fallback-failed-recipients.eml')).toEqual([
      {
        recipient: 'hidden.rcpt@example.com',
        status: '5.1.1',
        reason: 'userunknown',
        severity: 'hard',
      },
    ]);
  });

  it("falls back to the returned message's only To when the notice quotes just an SMTP error", () => {
    // "Mailbox unavailable" without the command it answered may be a content filter's words.
    expect(brief('fallback-original-to.eml')).toEqual([
      { recipient: 'only.rcpt@example.com', status: null, reason: 'filtered', severity: 'soft' },
    ]);
  });
});

describe('feedback reports and auto-replies', () => {
  it('reads every Original-Rcpt-To of an ARF report as a complaint, lower-cased', () => {
    const p = parse('arf-abuse-several.eml');
    expect(p.kind).toBe('complaint');
    expect(p.recipients.map((r) => r.recipient)).toEqual([
      'first.complainer@mailbox.example',
      'second.complainer@mailbox.example',
      'third.complainer@mailbox.example',
    ]);
    expect(
      p.recipients.every(
        (r) =>
          r.severity === 'complaint' && r.feedbackType === 'abuse' && r.fineReason === 'feedback',
      ),
    ).toBe(true);
    expect(p.recipients[0]?.occurredAt).toBe(Date.UTC(2026, 2, 5, 7, 58, 12));
  });

  it('keeps the ARF feedback type (opt-out)', () => {
    expect(parse('arf-opt-out.eml').recipients[0]).toMatchObject({
      recipient: 'leaving.reader@mailbox.example',
      feedbackType: 'opt-out',
      severity: 'complaint',
    });
  });

  it('reads an RFC 3834 vacation reply as an autoreply with no severity', () => {
    const p = parse('rfc3834-vacation.eml');
    expect(p.kind).toBe('autoreply');
    expect(p.recipients[0]).toMatchObject({
      recipient: 'kim.reader@example.net',
      fineReason: 'vacation',
      severity: 'none',
    });
  });

  it('finds nothing in mail that is not a bounce, nor in a person replying to one', () => {
    expect(parse('not-a-bounce.eml')).toMatchObject({ kind: 'none', recipients: [] });
    const reply = Buffer.from(
      [
        'From: Sam <sam@sender.example>',
        'To: newsletter@sender.example',
        'Subject: Re: Undelivered Mail Returned to Sender',
        '',
        'Did the March issue fail again? I think the address no.such.user@example.com is wrong.',
        '',
      ].join('\n'),
    );
    expect(parseBounceMail(reply)).toMatchObject({ kind: 'none', recipients: [] });
  });
});

describe('line endings', () => {
  it('gives identical results for CRLF and CR copies of every test mail', () => {
    // rawHash is about the input bytes (the copies differ beyond line ends), not the reading.
    const result = (raw: Buffer): string =>
      JSON.stringify({ ...parseBounceMail(raw), rawHash: undefined });
    const names = readdirSync(new URL('../fixtures/bounce-mail/', import.meta.url)).filter((f) =>
      f.endsWith('.eml'),
    );
    expect(names.length).toBeGreaterThanOrEqual(15);
    for (const f of names) {
      const lf = result(bounceMail(f));
      expect(result(withLineEnds(bounceMail(f), '\r\n')), f).toBe(lf);
      expect(result(withLineEnds(bounceMail(f), '\r')), f).toBe(lf);
    }
  });
});

describe('large input', () => {
  // How fast is for bench (npm run fuzz measures growth with size); this asserts the answer.
  it('parses a bounce carrying a 5 MB original and finds its recipient', () => {
    const head = bounceMail('exim.eml').toString('latin1');
    const big = Buffer.from(
      `${head}\n${'x'.repeat(76)}\n`.concat(`${'QUJDREVGR0g='.repeat(6)}\n`.repeat(70_000)),
      'latin1',
    );
    const p = parseBounceMail(big);
    expect(p.recipients.map((r) => r.recipient)).toEqual(['gone.away@example.org']);
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
    for (const name of ['rfc3464-dsn.eml', 'arf-abuse.eml', 'amazonses.eml']) {
      const whole = bounceMail(name);
      for (let cut = 0; cut < whole.length; cut += 97) samples.push(whole.subarray(0, cut));
    }
    for (const s of samples) expect(() => parseBounceMail(s)).not.toThrow();
    expect(parseBounceMail(Buffer.alloc(0))).toMatchObject({
      kind: 'none',
      recipients: [],
      messageId: null,
    });
  });
});
