import { describe, expect, it } from 'vitest';
import {
  basicCredentials,
  checkSharedSecrets,
  verifySharedSecret,
} from '../../../src/providers/shared/credentials.js';
import type { WebhookRequest } from '../../../src/providers/types.js';

const secrets = {
  basic: ['hooks:old-password-0123456', 'hooks:new-password-0123456'],
  urlTokens: ['tok-aaaaaaaaaaaaaaaa'],
};

function req(
  headers: Record<string, string> = {},
  params: Record<string, string> = {},
): WebhookRequest {
  return { rawBody: Buffer.from('{}'), headers, url: '/webhooks/x', params, receivedAt: 0 };
}
const basic = (pair: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(pair).toString('base64')}`,
});

describe('shared-secret verification for providers that sign nothing', () => {
  it('accepts every configured Basic credential (rotation) and the URL token', () => {
    expect(verifySharedSecret(req(basic('hooks:old-password-0123456')), secrets).ok).toBe(true);
    expect(verifySharedSecret(req(basic('hooks:new-password-0123456')), secrets).ok).toBe(true);
    expect(verifySharedSecret(req({}, { token: 'tok-aaaaaaaaaaaaaaaa' }), secrets).ok).toBe(true);
  });

  it('refuses a wrong user, a wrong password, a wrong token and no credential at all', () => {
    expect(verifySharedSecret(req(basic('other:new-password-0123456')), secrets).ok).toBe(false);
    expect(verifySharedSecret(req(basic('hooks:wrong')), secrets).ok).toBe(false);
    expect(verifySharedSecret(req({}, { token: 'tok-bbbbbbbbbbbbbbbb' }), secrets).ok).toBe(false);
    expect(verifySharedSecret(req({}, { token: '' }), secrets).ok).toBe(false);
    expect(verifySharedSecret(req(), secrets)).toEqual({
      ok: false,
      reason: 'missing URL token and Basic auth',
    });
  });

  it('reads Basic credentials only from a well-formed header', () => {
    expect(basicCredentials('Basic ' + Buffer.from('a:b').toString('base64'))).toBe('a:b');
    expect(basicCredentials('Basic ' + Buffer.from('no-colon').toString('base64'))).toBeUndefined();
    expect(basicCredentials('Bearer abc')).toBeUndefined();
    expect(basicCredentials('Basic ' + 'A'.repeat(5000))).toBeUndefined();
  });

  it('refuses short or malformed secrets at start-up, naming the setting', () => {
    expect(checkSharedSecrets('BOUNCER_P_BASIC_AUTH', ['user-without-password'], 'basic')).toMatch(
      /user:password/,
    );
    expect(checkSharedSecrets('BOUNCER_P_URL_TOKENS', ['short'], 'token')).toMatch(/16 characters/);
    expect(checkSharedSecrets('BOUNCER_P_URL_TOKENS', ['x'.repeat(16)], 'token')).toBeNull();
  });
});
