import { describe, expect, it } from 'vitest';
import {
  formNonce,
  signUnsubscribeToken,
  verifyFormNonce,
  verifyUnsubscribeToken,
  type UnsubscribeClaims,
} from '../../src/core/unsubscribe-token.js';
import { hashedEvent, redactAddress } from '../../src/core/privacy.js';
import { keyedAddress } from '../../src/core/address-hash.js';
import { makeEvent } from '../../src/core/events.js';

const A = 'secret-a-0123456789abcdef';
const B = 'secret-b-0123456789abcdef';
const claims: UnsubscribeClaims = {
  address: 'reader@example.com',
  channel: 'email',
  scope: 'newsletter',
  issuedAt: 1_796_000_000,
  campaign: 'dec-2026',
};

describe('unsubscribe tokens', () => {
  it('round-trips the claims and verifies without storage', () => {
    const token = signUnsubscribeToken(A, claims);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(verifyUnsubscribeToken([A], token)).toEqual({ ok: true, claims });
  });

  it('keeps SMS channel and a missing campaign', () => {
    const sms = { ...claims, address: '+14155550100', channel: 'sms' as const, campaign: null };
    expect(verifyUnsubscribeToken([A], signUnsubscribeToken(A, sms))).toEqual({
      ok: true,
      claims: sms,
    });
  });

  it('verifies against every configured secret (rotation) and refuses a retired one', () => {
    const old = signUnsubscribeToken(B, claims);
    expect(verifyUnsubscribeToken([A, B], old).ok).toBe(true);
    expect(verifyUnsubscribeToken([A], old)).toEqual({
      ok: false,
      reason: 'token MAC does not match any secret',
    });
    expect(verifyUnsubscribeToken([], old).ok).toBe(false);
  });

  it('refuses a payload changed under the same MAC, a cut MAC, garbage and oversized input', () => {
    const token = signUnsubscribeToken(A, claims);
    const mac = token.split('.')[1]!;
    const other = Buffer.from(JSON.stringify({ a: 'other@example.com', s: '*', t: 1 })).toString(
      'base64url',
    );
    for (const bad of [
      `${other}.${mac}`,
      token.slice(0, -1),
      'x',
      '.',
      `${token}.x`,
      'a'.repeat(2_000),
    ])
      expect(verifyUnsubscribeToken([A], bad).ok).toBe(false);
  });

  it('binds the form nonce to the token', () => {
    const t1 = signUnsubscribeToken(A, claims);
    const t2 = signUnsubscribeToken(A, { ...claims, scope: '*' });
    const nonce = formNonce(A, t1);
    expect(verifyFormNonce([B, A], t1, nonce)).toBe(true);
    expect(verifyFormNonce([A], t2, nonce)).toBe(false);
    expect(verifyFormNonce([A], t1, 'short')).toBe(false);
  });
});

describe('hashed storage of an event', () => {
  it('stores the keyed hash and redacts the address from diagnostic and details, any case', () => {
    const e = makeEvent({
      type: 'bounce',
      channel: 'email',
      address: 'reader@example.com',
      occurredAt: 1,
      dedupKey: 'k',
      diagnostic: '550 <Reader@Example.com> unknown',
      details: { to: 'reader@example.com', n: 1, list: ['x reader@example.com'] },
    });
    const h = hashedEvent('pepper-0123456789abcdef', e);
    expect(h.address).toBe(keyedAddress('pepper-0123456789abcdef', 'email', 'reader@example.com'));
    expect(h.address).toMatch(/^hmac:[0-9a-f]{64}$/);
    expect(h.diagnostic).toBe('550 <<recipient>> unknown');
    expect(h.details).toEqual({ to: '<recipient>', n: 1, list: ['x <recipient>'] });
    expect(redactAddress('a.b+c@x.io and A.B+C@X.IO', 'a.b+c@x.io')).toBe(
      '<recipient> and <recipient>',
    );
  });

  it('keys the hash by pepper and channel', () => {
    expect(keyedAddress('p1-0123456789abcdef', 'email', 'a@b.c')).not.toBe(
      keyedAddress('p2-0123456789abcdef', 'email', 'a@b.c'),
    );
    expect(keyedAddress('p1-0123456789abcdef', 'sms', '+1')).not.toBe(
      keyedAddress('p1-0123456789abcdef', 'email', '+1'),
    );
  });
});
