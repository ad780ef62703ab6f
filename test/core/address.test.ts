import { describe, expect, it } from 'vitest';
import {
  isSimpleEmailBytes,
  maskAddress,
  simpleEmail,
  normaliseAddress,
  normaliseEmail,
  normaliseEmailFully,
  normalisePhone,
} from '../../src/core/address.js';

describe('normaliseEmail', () => {
  it.each([
    ['  John@Example.COM ', 'john@example.com'],
    ['<john@example.com>', 'john@example.com'],
    ['John Doe <John.Doe@Example.com>', 'john.doe@example.com'],
    ['mailto:a@b.io', 'a@b.io'],
    ['user+tag@sub.example.co.uk', 'user+tag@sub.example.co.uk'],
    ['josé@bücher.de', 'josé@xn--bcher-kva.de'],
    ['info@例え.jp', 'info@xn--r8jz45g.jp'],
    ['x@example.com.', 'x@example.com'],
    ['"john doe"@example.com', '"john doe"@example.com'],
    // Dotless (single-label) domains are domains too (RFC 5321 §4.1.2); providers report them.
    ['John@LocalHost', 'john@localhost'],
    ['bounce@invalid', 'bounce@invalid'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normaliseEmail(input)).toEqual({ ok: true, channel: 'email', address: expected });
  });

  it.each([
    ['', 'empty address'],
    ['plainaddress', 'missing @'],
    ['@example.com', 'empty local part'],
    ['john@', 'empty domain'],
    ['a@b@example.com', 'more than one @'],
    ['.john@example.com', 'local part starts or ends with a dot'],
    ['jo..hn@example.com', 'consecutive dots in local part'],
    ['john doe@example.com', 'whitespace in local part'],
    ['john@123', 'top-level domain is numeric'],
    ['john@exa_mple', 'invalid character in domain'],
    ['john@exa mple.com', 'whitespace in domain'],
    ['john@-example.com', 'invalid character in domain'],
    ['john@example..com', 'empty label in domain'],
    ['john@[127.0.0.1]', 'address literals are not accepted'],
    ['john@example.123', 'top-level domain is numeric'],
    [`${'a'.repeat(65)}@example.com`, 'local part longer than 64 characters'],
    ['<john@example.com', 'unbalanced angle brackets'],
  ])('rejects %j with the reason %j', (input, error) => {
    expect(normaliseEmail(input)).toEqual({ ok: false, error });
  });
});

describe('normalisePhone', () => {
  it.each([
    ['+1-555-123-4567', 'US', '+15551234567'],
    ['(555) 123-4567', 'US', '+15551234567'],
    ['+44 20 7946 0958', 'US', '+442079460958'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['06 12345678', 'NL', '+31612345678'],
    ['tel:+15017250604', 'US', '+15017250604'],
  ])('reads %j in region %s as %s', (input, region, expected) => {
    expect(normalisePhone(input, region)).toEqual({ ok: true, channel: 'sms', address: expected });
  });

  it('rejects numbers that cannot exist and text that is not a number', () => {
    expect(normalisePhone('123', 'US')).toMatchObject({ ok: false });
    expect(normalisePhone('call me', 'US')).toEqual({
      ok: false,
      error: 'letters in phone number',
    });
    expect(normalisePhone('', 'US')).toEqual({ ok: false, error: 'empty phone number' });
  });
});

describe('normaliseAddress', () => {
  it('tells email from phone by the @', () => {
    expect(normaliseAddress('A@B.com', 'US')).toMatchObject({
      channel: 'email',
      address: 'a@b.com',
    });
    expect(normaliseAddress('+1 555 123 4567', 'US')).toMatchObject({
      channel: 'sms',
      address: '+15551234567',
    });
  });
});

describe('maskAddress', () => {
  it('keeps only enough to recognise an address in logs', () => {
    expect(maskAddress('john@example.com')).toBe('j***@example.com');
    expect(maskAddress('+15551234567')).toBe('+1555***67');
    expect(maskAddress('+1555')).toBe('***');
  });
});

describe('the fast path for simple addresses', () => {
  const inputs = [
    'a@b.io',
    'John.Doe@Example.COM',
    'x@example.com.',
    'a@b.-com',
    'a@b.com-',
    'a@-b.com',
    'a@b..com',
    'a@b.123',
    'a@b.1-2',
    '.a@b.com',
    'a.@b.com',
    'a..b@b.com',
    'a@b',
    '@b.com',
    'a@',
    'ſ@b.com',
    'a@ſ.com',
    'a b@c.com',
    ' a@b.com',
    'a@b.com ',
    `${'l'.repeat(64)}@b.com`,
    `${'l'.repeat(65)}@b.com`,
    `a@${'d'.repeat(63)}.com`,
    `a@${'d'.repeat(64)}.com`,
    `a@${'d.'.repeat(130)}com`,
    "o'brien+x@mail.example.org",
    'a@b.c0m',
    'a@xn--bcher-kva.de',
    'mailto:a@b.com',
    '<a@b.com>',
  ];
  it.each(inputs)('gives %j the same answer as the full path', (input) => {
    expect(normaliseEmail(input)).toEqual(normaliseEmailFully(input));
  });

  /** The byte fast path accepts exactly what the string fast path accepts (bytes between commas). */
  const bytePathAgrees = (input: string): boolean => {
    const bytes = Buffer.from(`,${input},`, 'utf8');
    return isSimpleEmailBytes(bytes, 1, bytes.length - 1) === (simpleEmail(input) !== null);
  };

  it.each(inputs)('reads %j on bytes as the string fast path does', (input) => {
    expect(bytePathAgrees(input)).toBe(true);
  });

  it('agrees with the full path on 200,000 random strings near the simple shape, on strings and on bytes', () => {
    // A fixed seed (mulberry32): the same strings every run; a failure names the input.
    let seed = 0x5eed;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const alphabet = [
      'a',
      'Z',
      '0',
      '9',
      '.',
      '.',
      '@',
      '-',
      '_',
      '+',
      "'",
      ' ',
      '"',
      '<',
      '>',
      'é',
      'ſ',
      '\\',
      ',',
      '[',
      'x',
      'q',
      '1',
    ];
    const pick = (n: number): string =>
      Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    const disagreements: string[] = [];
    for (let k = 0; k < 200_000; k++) {
      // Mostly local@label.label shapes with random characters spliced in, some fully random.
      const input =
        random() < 0.2
          ? pick(1 + Math.floor(random() * 12))
          : `${pick(1 + Math.floor(random() * 5))}@${pick(1 + Math.floor(random() * 4))}.${pick(1 + Math.floor(random() * 4))}`;
      if (
        JSON.stringify(normaliseEmail(input)) !== JSON.stringify(normaliseEmailFully(input)) ||
        !bytePathAgrees(input)
      )
        disagreements.push(input);
    }
    expect(disagreements.slice(0, 10)).toEqual([]);
  });
});
