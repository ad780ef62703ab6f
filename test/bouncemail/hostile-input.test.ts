import { describe, expect, it } from 'vitest';
import { parseBounceMail } from '../../src/bouncemail/index.js';
import { emailsIn } from '../../src/bouncemail/text.js';

// Each input here took from minutes to hours before the parser was made linear (a 147 KB field
// took 40 s; these are larger): the test fails by timing out, it asserts no time itself.
const MIB = 1024 * 1024;

function notice(field: string, body: string): Buffer {
  return Buffer.from(
    `From: MAILER-DAEMON@example.com\nTo: a@b.example\nX-Failed-Recipients: ${field}\n` +
      `Subject: Mail delivery failed\nDate: ${field}\n\n` +
      `This message was created automatically by mail delivery software.\n\n` +
      `  user@example.com\n    SMTP error from remote mail server after RCPT TO:<user@example.com>:\n` +
      `    550 5.1.1 ${body}\n`,
  );
}

describe('bounce-mail parsing of hostile input', () => {
  it('reads a 1 MiB header field without an @ in one pass', () => {
    const parsed = parseBounceMail(notice('x'.repeat(MIB), 'no such user'));
    expect(parsed.recipients.map((r) => r.recipient)).toEqual(['user@example.com']);
  });

  it('reads a DSN whose fields are 1 MiB long', () => {
    const x = 'x'.repeat(MIB);
    const mail = Buffer.from(
      `From: MAILER-DAEMON@example.com\nTo: a@b.example\nSubject: Delivery Status Notification\n` +
        `Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n` +
        `--b\nContent-Type: text/plain\n\nfailed\n--b\nContent-Type: message/delivery-status\n\n` +
        `Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; ${x}\nAction: failed\nStatus: 5.1.1\n` +
        `Diagnostic-Code: smtp; 550 ${'550-5.1.1 '.repeat(MIB / 10)}\nLast-Attempt-Date: ${'('.repeat(MIB)}\n--b--\n`,
    );
    expect(() => parseBounceMail(mail)).not.toThrow();
  });

  it('reads a notice of 400,000 lines (blank, CR-only, indented) without overflowing the stack', () => {
    for (const line of ['\n', '\r\n', '\n ', '  a\n', 'received at x\n']) {
      const mail = notice('x', line.repeat(400_000));
      expect(() => parseBounceMail(mail)).not.toThrow();
    }
  });

  it('finds addresses only where a run of local-part characters starts', () => {
    expect(emailsIn('see <a.b@example.com>, c@d.example.org.')).toEqual([
      'a.b@example.com',
      'c@d.example.org',
    ]);
    expect(emailsIn('x'.repeat(MIB))).toEqual([]);
    expect(emailsIn(`${'a'.repeat(MIB)}@example.com`)).toHaveLength(1);
  });
});
