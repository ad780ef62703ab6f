import { verifySignature } from '@vonage/jwt';
import { describe, expect, it } from 'vitest';
import {
  verifyVonageJwt,
  verifyVonageSig,
  vonageSig,
  VONAGE_SIG_METHODS,
} from '../../../src/providers/vonage/vonage-signature.js';
import {
  hmacJwt,
  sha256Hex,
  smsFixture,
  vonageJwt,
  VONAGE_SECRET,
} from '../../helpers/sms-signers.js';

// KAT #5 (vonage-node-sdk test data, spec C §0.2).
const KAT5_SECRET = 'my_secret_key_for_testing';
const KAT5_PARAMS = {
  'message-timestamp': '2013-11-21 15:27:30',
  messageId: '020000001B0FE827',
  msisdn: '14843472194',
  text: 'Test again',
  timestamp: '1385047698',
  to: '13239877404',
  type: 'text',
};
const KAT5: Record<(typeof VONAGE_SIG_METHODS)[number], string> = {
  md5hash: 'd2e7b1dc968737c5998ad624e02f90b7',
  md5: 'DDEBD46008C2D4E93CCE578A332A52D5',
  sha1: '27D0D05C2876C7CB1720DBCDBA4D492E1E55C09A',
  sha256: 'DDB8397C2B90AAC7F3882D306475C9A5058C92322EEF43C92B298B6E0FC0D330',
  sha512:
    'E0D3C650F8C9D1A5C174D10DDDBFB003E561F59B265616208B0487C5D819481CD3C311D59CF6165ECD1139622D5BA3A256C0D763AC4A9AD9144B5A426B94FE82',
};
// KAT #6 (self-made in the spec, jsonwebtoken ✔).
const KAT6_TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3Mzg1ODQ4NjYsImp0aSI6ImM1YWQ4YTJlLTRiN2MtNGExZi05ZDNlLTJmNmI4ZTBhMWM3ZCIsImlzcyI6IlZvbmFnZSIsInBheWxvYWRfaGFzaCI6ImI4N2M5MTUwYjdlZTVkZWFkNGQ2MjQ0OWMzMWQ3ZjBiNDQxYzRmMWEzOTRlNmJmZThiNzBhNDQ1MDkwNjQyMzQiLCJhcGlfa2V5IjoiYWJjZDEyMzQiLCJhcHBsaWNhdGlvbl9pZCI6ImFhYWFhYWFhLWJiYmItY2NjYy1kZGRkLTAxMjM0NTY3ODlhYiJ9.8dCil2PiYQ_JW0bzfnyMGfV4PrvjwPj7zyO9iB0dxQI';
const KAT6_BODY = Buffer.from(smsFixture('vonage', 'messages-status-rejected.json'));
const KAT6_IAT = 1738584866;

describe('Vonage SMS API sig (spec C §8.2)', () => {
  it.each(VONAGE_SIG_METHODS)('reproduces KAT #5 with %s', (method) => {
    expect(vonageSig(method, KAT5_SECRET, KAT5_PARAMS)).toBe(KAT5[method].toLowerCase());
    expect(verifyVonageSig({ ...KAT5_PARAMS, sig: KAT5[method] }, [KAT5_SECRET], method)).toBe(
      true,
    );
  });

  it('fails when a value changes, the secret differs or the method differs', () => {
    const signed = { ...KAT5_PARAMS, sig: KAT5.sha256 };
    expect(verifyVonageSig({ ...signed, text: 'Test again!' }, [KAT5_SECRET], 'sha256')).toBe(
      false,
    );
    expect(verifyVonageSig(signed, ['another_secret_0123456789'], 'sha256')).toBe(false);
    expect(verifyVonageSig(signed, [KAT5_SECRET], 'sha512')).toBe(false);
  });

  it('accepts any of several secrets (rotation)', () => {
    const signed = { ...KAT5_PARAMS, sig: KAT5.md5 };
    expect(verifyVonageSig(signed, ['old_secret_0123456789ab', KAT5_SECRET], 'md5')).toBe(true);
  });

  it('replaces & and = inside values before signing', () => {
    const p = { a: 'x&y=z', b: '1' };
    expect(vonageSig('sha256', KAT5_SECRET, p)).toBe(
      vonageSig('sha256', KAT5_SECRET, { a: 'x_y_z', b: '1' }),
    );
  });
});

describe('Vonage Messages API JWT (spec C §8.4)', () => {
  it('verifies KAT #6 against the §8.7 body, and the SDK agrees on the signature', () => {
    expect(sha256Hex(KAT6_BODY)).toBe(
      'b87c9150b7ee5dead4d62449c31d7f0b441c4f1a394e6bfe8b70a44509064234',
    );
    const check = verifyVonageJwt(
      `Bearer ${KAT6_TOKEN}`,
      KAT6_BODY,
      [VONAGE_SECRET],
      KAT6_IAT + 10,
      300,
    );
    expect(check.ok).toBe(true);
    expect(verifySignature(KAT6_TOKEN, VONAGE_SECRET)).toBe(true);
  });

  it('rejects a tampered body (payload_hash), a stale or future iat and another secret', () => {
    const other = Buffer.from(KAT6_BODY.toString().replace('1240', '1250'));
    expect(verifyVonageJwt(`Bearer ${KAT6_TOKEN}`, other, [VONAGE_SECRET], KAT6_IAT, 300)).toEqual({
      ok: false,
      reason: 'JWT payload_hash does not match the body',
    });
    expect(
      verifyVonageJwt(`Bearer ${KAT6_TOKEN}`, KAT6_BODY, [VONAGE_SECRET], KAT6_IAT + 301, 300).ok,
    ).toBe(false);
    expect(
      verifyVonageJwt(`Bearer ${KAT6_TOKEN}`, KAT6_BODY, [VONAGE_SECRET], KAT6_IAT - 301, 300).ok,
    ).toBe(false);
    expect(
      verifyVonageJwt(
        `Bearer ${KAT6_TOKEN}`,
        KAT6_BODY,
        ['not_the_secret_0123456789'],
        KAT6_IAT,
        300,
      ).ok,
    ).toBe(false);
  });

  it('accepts only HS256, and checks a token our helper made the way the SDK does', () => {
    const body = '{"status":"delivered"}';
    const token = vonageJwt(body, 1_700_000_000);
    expect(verifySignature(token, VONAGE_SECRET)).toBe(true);
    expect(
      verifyVonageJwt(`Bearer ${token}`, Buffer.from(body), [VONAGE_SECRET], 1_700_000_000, 300).ok,
    ).toBe(true);
    const hs512 = hmacJwt(
      VONAGE_SECRET,
      { iat: 1_700_000_000, payload_hash: sha256Hex(body) },
      'HS512',
    );
    expect(
      verifyVonageJwt(`Bearer ${hs512}`, Buffer.from(body), [VONAGE_SECRET], 1_700_000_000, 300),
    ).toEqual({
      ok: false,
      reason: 'JWT algorithm HS512 is not accepted',
    });
    expect(
      verifyVonageJwt('Basic abc', Buffer.from(body), [VONAGE_SECRET], 1_700_000_000, 300).ok,
    ).toBe(false);
  });
});
