import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/core/errors.js';
import {
  idText,
  parseJsonLossless,
  quoteUnsafeIntegers,
} from '../../../src/providers/shared/json-lossless.js';

describe('lossless JSON for ids above 2^53', () => {
  it('keeps integers a double cannot hold as their exact digits', () => {
    const v = parseJsonLossless(
      '{"ID": 9007199254740993, "MessageID": 288230376151711744, "n": 42}',
    );
    expect(v).toEqual({ ID: '9007199254740993', MessageID: '288230376151711744', n: 42 });
  });

  it('leaves safe integers, fractions, exponents, negatives and numbers inside strings alone', () => {
    const text =
      '[9007199254740991, -12, 1.5, 12345678901234567890.5, 1e400, "99999999999999999999", "a\\"12345678901234567890"]';
    expect(quoteUnsafeIntegers(text)).toBe(text);
    expect(quoteUnsafeIntegers('[-99999999999999999999]')).toBe('["-99999999999999999999"]');
  });

  it('reports invalid JSON as a ParseError', () => {
    expect(() => parseJsonLossless('{"a": ')).toThrow(ParseError);
    expect(() => parseJsonLossless('')).toThrow(/empty body/);
  });

  it('reads id fields as text only when they are exact', () => {
    expect(idText('0042')).toBe('0042');
    expect(idText(42)).toBe('42');
    expect(idText(2 ** 60)).toBeUndefined();
    expect(idText({})).toBeUndefined();
  });
});
