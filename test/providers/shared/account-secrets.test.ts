import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Reader } from '../../../src/config.js';
import {
  parseAccountSecrets,
  secretsForRequest,
} from '../../../src/providers/shared/account-secrets.js';
import { utcEpochMs } from '../../../src/providers/shared/fields.js';
import { hexHmacMatches } from '../../../src/providers/shared/hmac-hex.js';

const parse = (value: string) =>
  parseAccountSecrets(new Reader({ X_ACCOUNTS: value }), 'X_ACCOUNTS');

describe('per-account secrets', () => {
  it('reads a secret or a list of secrets per account', () => {
    expect(parse('{"shop":"s1","news":["s2","s3"]}')).toEqual({ shop: ['s1'], news: ['s2', 's3'] });
    expect(parseAccountSecrets(new Reader({}), 'X_ACCOUNTS')).toEqual({});
  });

  it('refuses bad names, empty lists and non-objects, naming the setting', () => {
    for (const bad of [
      '[]',
      '"x"',
      '{"Bad Name":"s"}',
      '{"shop":[]}',
      '{"shop":[1]}',
      '{"shop":""}',
      'not json',
    ])
      expect(() => parse(bad), bad).toThrow(/X_ACCOUNTS/);
  });

  it("picks the route's account, or the shared secrets without one", () => {
    const accounts = { shop: ['s1'] };
    expect(secretsForRequest({ account: 'shop' }, ['g'], accounts)).toEqual({
      ok: true,
      secrets: ['s1'],
    });
    expect(secretsForRequest({}, ['g'], accounts)).toEqual({ ok: true, secrets: ['g'] });
    expect(secretsForRequest({ account: 'other' }, ['g'], accounts)).toEqual({
      ok: false,
      reason: 'unknown account',
    });
    expect(secretsForRequest({ account: 'constructor' }, ['g'], accounts).ok).toBe(false);
    expect(secretsForRequest({}, [], accounts).ok).toBe(false);
  });
});

describe('field readers', () => {
  it('reads "YYYY-MM-DD HH:MM:SS" as UTC, ISO, epoch seconds and ms; falls back otherwise', () => {
    expect(utcEpochMs('2026-01-01 10:00:00', 0)).toBe(Date.UTC(2026, 0, 1, 10));
    expect(utcEpochMs('2026-01-01T10:00:00+01:00', 0)).toBe(Date.UTC(2026, 0, 1, 9));
    expect(utcEpochMs(1767261600, 0)).toBe(1767261600000);
    expect(utcEpochMs('1767261600000', 0)).toBe(1767261600000);
    expect(utcEpochMs('yesterday', 7)).toBe(7);
    expect(utcEpochMs(undefined, 7)).toBe(7);
  });
});

describe('hex HMAC-SHA256 against several secrets', () => {
  it('matches any secret, upper-case hex too, never a malformed signature', () => {
    const body = Buffer.from('{"a":1}');
    const sig = createHmac('sha256', 'second').update(body).digest('hex');
    expect(hexHmacMatches(body, sig, ['first', 'second'])).toBe(true);
    expect(hexHmacMatches(body, sig.toUpperCase(), ['second'])).toBe(true);
    expect(hexHmacMatches(body, sig, ['first'])).toBe(false);
    expect(hexHmacMatches(body, sig.slice(2), ['second'])).toBe(false);
    expect(hexHmacMatches(body, 'zz', ['second'])).toBe(false);
    expect(hexHmacMatches(body, sig, [])).toBe(false);
  });
});
