import { describe, expect, it } from 'vitest';
import { normaliseAddress, normaliseEmail, normalisePhone } from '../../src/core/address.js';
import { classifyBounce } from '../../src/core/classify.js';

// Before the caps each of these ran for minutes (quadratic patterns on unbounded input); the
// tests fail by timing out and assert no time themselves.
const MIB = 1024 * 1024;

describe('core parsing of hostile input', () => {
  it('refuses an overlong phone number before any pattern runs', () => {
    expect(normalisePhone(`1${' '.repeat(MIB)}y`, 'US')).toMatchObject({ ok: false });
    expect(normaliseAddress(`1${'\t'.repeat(MIB)}2`, 'US')).toMatchObject({ ok: false });
  });

  it('refuses an overlong email address input', () => {
    expect(normaliseEmail(`a@${'a.b'.repeat(MIB / 3)}`)).toMatchObject({
      ok: false,
      error: 'longer than 1000 characters',
    });
    expect(normaliseEmail(`Someone <user@example.com>`)).toMatchObject({ ok: true });
  });

  it('classifies a diagnostic of a megabyte of @ from its first lines', () => {
    const c = classifyBounce({
      diagnostic: `550 5.1.1 user unknown ${'@'.repeat(MIB)}`,
      enhancedStatus: null,
      smtpCode: null,
    });
    expect(c.fineReason).toBe('userunknown');
    expect(() =>
      classifyBounce({ diagnostic: 'a@>'.repeat(MIB), enhancedStatus: null, smtpCode: null }),
    ).not.toThrow();
  });
});
