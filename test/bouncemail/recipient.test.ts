import { describe, expect, it } from 'vitest';
import { effectiveStatus, parseDate, recipientAddress } from '../../src/bouncemail/recipient.js';

describe('effectiveStatus', () => {
  it('keeps the Status field when the text agrees or says nothing', () => {
    expect(effectiveStatus('5.1.1', '550 5.1.1 user unknown')).toBe('5.1.1');
    expect(effectiveStatus('5.2.2', 'mailbox full')).toBe('5.2.2');
    expect(effectiveStatus(null, '550 5.7.1 blocked')).toBe('5.7.1');
  });

  it('prefers the remote server code over a generic or fallback Status field', () => {
    expect(
      effectiveStatus(
        '5.0.0',
        "5.1.0 - Unknown address error 550-'5.2.2 <a@b.example>... Mailbox Full'",
      ),
    ).toBe('5.2.2');
    expect(
      effectiveStatus('4.4.7', '554 4.4.7 Message expired <421 4.4.2 Connection timed out>'),
    ).toBe('4.4.2');
    expect(effectiveStatus('5.1.1', '550 5.7.1 relaying denied')).toBe('5.7.1');
  });

  it('breaks a class tie with the SMTP reply code', () => {
    expect(effectiveStatus('4.0.0', '550 5.1.1 unknown', '550')).toBe('5.1.1');
    expect(effectiveStatus('5.2.2', 'temporarily 4.2.2 full', '452')).toBe('4.2.2');
  });
});

describe('recipientAddress', () => {
  it('normalises ordinary addresses and keeps the odd ones mail systems really use', () => {
    expect(recipientAddress('<Kijitora@Example.JP>')).toBe('kijitora@example.jp');
    expect(recipientAddress('"neko....nyaan...."@docomo.ne.jp')).toBe(
      'neko....nyaan....@docomo.ne.jp',
    );
    expect(recipientAddress('kijitora@mailhub0')).toBe('kijitora@mailhub0');
    expect(recipientAddress('not an address')).toBeNull();
  });
});

describe('parseDate', () => {
  it('reads RFC 5322 dates with comments and returns null for garbage', () => {
    expect(parseDate('Thu, 29 Apr 2010 23:34:45 +0900 (JST)')).toBe(
      Date.UTC(2010, 3, 29, 14, 34, 45),
    );
    expect(parseDate('yesterday-ish')).toBeNull();
  });
});
