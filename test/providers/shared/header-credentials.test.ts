import { describe, expect, it } from 'vitest';
import { verifyHeaderCredentials } from '../../../src/providers/shared/header-credentials.js';
import type { WebhookRequest } from '../../../src/providers/types.js';

const request = (
  headers: Record<string, string>,
  params: Record<string, string> = {},
): WebhookRequest => ({
  rawBody: Buffer.from('{}'),
  headers,
  url: '/webhooks/x',
  params,
  receivedAt: 0,
});
const creds = {
  basic: ['user:password-0123456789'],
  urlTokens: ['url-token-0123456789abc'],
  headerTokens: ['old-header-token-0123456', 'new-header-token-0123456'],
  tokenHeaders: ['authorization', 'x-api-key'],
};

describe('verifyHeaderCredentials (Basic, URL token or header token)', () => {
  it('accepts either rotated header token, as a bearer or in the named header', () => {
    for (const token of creds.headerTokens) {
      expect(verifyHeaderCredentials(request({ authorization: `Bearer ${token}` }), creds).ok).toBe(
        true,
      );
      expect(verifyHeaderCredentials(request({ 'x-api-key': token }), creds).ok).toBe(true);
    }
  });

  it('still accepts Basic auth and the URL token', () => {
    const basic = `Basic ${Buffer.from(creds.basic[0]!).toString('base64')}`;
    expect(verifyHeaderCredentials(request({ authorization: basic }), creds).ok).toBe(true);
    expect(verifyHeaderCredentials(request({}, { token: creds.urlTokens[0]! }), creds).ok).toBe(
      true,
    );
  });

  it('refuses a token in an unnamed header, a non-bearer scheme and header tokens when none are configured', () => {
    const token = creds.headerTokens[0]!;
    expect(verifyHeaderCredentials(request({ 'x-other': token }), creds)).toEqual({
      ok: false,
      reason: 'missing URL token and Basic auth',
    });
    expect(verifyHeaderCredentials(request({ authorization: `Token ${token}` }), creds).ok).toBe(
      false,
    );
    expect(
      verifyHeaderCredentials(request({ 'x-api-key': token }), { ...creds, headerTokens: [] }).ok,
    ).toBe(false);
    expect(
      verifyHeaderCredentials(request({ 'x-api-key': 'wrong-token-000000000000' }), creds),
    ).toEqual({
      ok: false,
      reason: 'credential does not match any configured one',
    });
  });
});
