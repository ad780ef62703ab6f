import { describe, expect, it } from 'vitest';
import { decodeWords, parseContentType, parseHeaderBlock } from '../../src/bouncemail/headers.js';
import {
  decodedText,
  leaves,
  parseEntity,
  splitMbox,
  toBinaryLf,
} from '../../src/bouncemail/mime.js';
import { bounceMail } from './helpers.js';

const mail = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('headers', () => {
  it('unfolds continuation lines and finds names case-insensitively', () => {
    const h = parseHeaderBlock('Subject: one\n two\nX-A: 1\nx-a: 2');
    expect(h.get('SUBJECT')).toBe('one two');
    expect(h.getAll('X-A')).toEqual(['1', '2']);
  });

  it('decodes RFC 2047 words in base64 and Q encodings, joining adjacent words', () => {
    expect(decodeWords('=?UTF-8?B?44Gr44KD44KT44GT?=')).toBe('にゃんこ');
    expect(decodeWords('=?iso-8859-1?Q?Non_remis_:_caf=E9?= =?utf-8?Q?_ok?=')).toBe(
      'Non remis : café ok',
    );
    expect(decodeWords('=?ISO-2022-JP?B?GyRCJEskYyE8JHMbKEI=?=')).toBe('にゃーん');
  });

  it('reads content-type parameters, quoted and RFC 2231 encoded', () => {
    expect(
      parseContentType('multipart/report; report-type=delivery-status;\n boundary="a;b"'),
    ).toEqual({
      type: 'multipart/report',
      params: { 'report-type': 'delivery-status', boundary: 'a;b' },
    });
    expect(parseContentType("text/plain; name*=utf-8''caf%C3%A9").params['name']).toBe('cafÃ©');
  });
});

describe('MIME walker', () => {
  it('walks nested multiparts and decodes quoted-printable and base64 bodies with their charset', () => {
    const raw = [
      'Content-Type: multipart/mixed; boundary=outer',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary=inner',
      '',
      '--inner',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'caf=E9 =',
      'au lait',
      '--inner--',
      '--outer',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('にゃーん').toString('base64'),
      '--outer--',
      '',
    ].join('\r\n');
    const texts = leaves(parseEntity(toBinaryLf(mail(raw)))).map((l) => l.text.trim());
    expect(texts).toEqual(['café au lait', 'にゃーん']);
  });

  it('decodes ISO-2022-JP text parts', () => {
    const e = parseEntity(toBinaryLf(bounceMail('notice-iso-2022-jp.eml')));
    const notice = leaves(e).find((l) => l.type === 'text/plain');
    expect(notice?.text).toContain('送信先のメールボックスが一杯のため');
  });

  it('parses an attached message/rfc822 as its own entity', () => {
    const e = parseEntity(toBinaryLf(bounceMail('rfc3464-dsn.eml')));
    const original = leaves(e).find((l) => l.entity.message)?.entity.message;
    expect(original?.headers.get('message-id')).toBe('<march-issue-0001@sender.example>');
    expect(decodedText(e.parts[0]!)).toContain(
      'The following addresses had permanent fatal errors',
    );
  });

  it('gives the same structure for LF, CRLF and CR line endings', () => {
    const lf = 'Subject: x\n\nline1\nline2\n';
    const shapes = [lf, lf.replace(/\n/g, '\r\n'), lf.replace(/\n/g, '\r')].map((t) =>
      JSON.stringify(leaves(parseEntity(toBinaryLf(mail(t)))).map((l) => l.text)),
    );
    expect(new Set(shapes).size).toBe(1);
  });
});

describe('splitMbox', () => {
  it('splits a mailbox of every test mail back into those mails', () => {
    const names = ['rfc3464-dsn.eml', 'postfix.eml', 'exim.eml', 'arf-abuse.eml', 'gmail.eml'];
    const mbox = names
      .map(
        (n) => `From MAILER-DAEMON Fri Mar  6 12:00:00 2026\n${bounceMail(n).toString('latin1')}\n`,
      )
      .join('');
    const parts = splitMbox(Buffer.from(mbox, 'latin1'));
    expect(parts).toHaveLength(names.length);
    parts.forEach((part, i) =>
      expect(part.toString('latin1').trim()).toBe(bounceMail(names[i]!).toString('latin1').trim()),
    );
  });

  it('does not split at a body paragraph that starts with "From "', () => {
    const parts = splitMbox(
      mail('From a@b Mon Jan  1 00:00:00 2024\nSubject: 1\n\nHello,\n\nFrom the team: thanks.\n'),
    );
    expect(parts).toHaveLength(1);
  });

  it('undoes mboxrd quoting of From lines in bodies', () => {
    const parts = splitMbox(
      mail(
        'From a@b Mon Jan 1 00:00:00 2024\nSubject: 1\n\n>From here\n\nFrom c@d Mon Jan 1 00:00:00 2024\nSubject: 2\n\nbody\n',
      ),
    );
    expect(parts).toHaveLength(2);
    expect(parts[0]?.toString()).toContain('\nFrom here');
  });
});

describe('delivery-status fields', () => {
  it('reads an indented report and fields in any order, with folded Diagnostic-Code', async () => {
    const { parseDeliveryStatus } = await import('../../src/bouncemail/dsn.js');
    const r = parseDeliveryStatus(
      '   Reporting-MTA: dns; mx.example.jp\n\n   Diagnostic-Code: smtp; 550 5.1.1 unknown\n     user here\n   Final-Recipient: rfc822; a@example.jp\n   Action: failed\n   Status: 5.1.1\n\n   Final-Recipient: rfc822; b@example.jp\n   Action: delayed\n   Status: 4.2.2\n',
    );
    expect(r.reportingMta).toBe('mx.example.jp');
    expect(r.recipients.map((x) => [x.finalRecipient, x.action, x.status, x.diagnostic])).toEqual([
      ['a@example.jp', 'failed', '5.1.1', '550 5.1.1 unknown user here'],
      ['b@example.jp', 'delayed', '4.2.2', null],
    ]);
  });
});
