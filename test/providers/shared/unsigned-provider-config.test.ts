import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';

describe('settings of the unsigned email providers (SparkPost, Brevo, Mailjet)', () => {
  it('reads comma-separated secrets (rotation), allow-lists and the SparkPost options', () => {
    const c = parseConfig({
      BOUNCER_SPARKPOST_BASIC_AUTH: 'u:0123456789abcdef,v:fedcba9876543210',
      BOUNCER_SPARKPOST_HEADER_TOKENS: 'header-token-0123456789',
      BOUNCER_SPARKPOST_TOKEN_HEADER: 'X-Api-Key',
      BOUNCER_SPARKPOST_UNSUBSCRIBE_SCOPE: 'subaccount',
      BOUNCER_SPARKPOST_ALLOWED_IPS: '198.51.100.0/24, 2001:db8::/32',
      BOUNCER_BREVO_BEARER_TOKENS: 'brevo-bearer-0123456789',
      BOUNCER_MAILJET_URL_TOKENS: 'mailjet-token-0123456789,mailjet-token-abcdefghij',
    });
    expect(c.sparkpost).toEqual({
      basic: ['u:0123456789abcdef', 'v:fedcba9876543210'],
      urlTokens: [],
      headerTokens: ['header-token-0123456789'],
      tokenHeader: 'x-api-key',
      unsubscribeScope: 'subaccount',
      allowedIps: ['198.51.100.0/24', '2001:db8::/32'],
    });
    expect(c.brevo).toMatchObject({ bearerTokens: ['brevo-bearer-0123456789'], basic: [] });
    expect(c.mailjet.urlTokens).toHaveLength(2);
    expect(
      parseConfig({ BOUNCER_BREVO_URL_TOKEN: 'singular-spelling-0123' }).brevo.urlTokens,
    ).toEqual(['singular-spelling-0123']);
    expect(parseConfig({}).sparkpost).toMatchObject({
      tokenHeader: 'x-messagesystems-webhook-token',
      unsubscribeScope: 'global',
    });
  });

  it.each([
    [
      'BOUNCER_SPARKPOST_BASIC_AUTH',
      'no-colon-here-0123456789',
      /BOUNCER_SPARKPOST_BASIC_AUTH.*user:password/,
    ],
    ['BOUNCER_SPARKPOST_BASIC_AUTH', 'u:short', /BOUNCER_SPARKPOST_BASIC_AUTH.*16 characters/],
    ['BOUNCER_SPARKPOST_URL_TOKENS', 'short', /BOUNCER_SPARKPOST_URL_TOKENS.*16 characters/],
    ['BOUNCER_SPARKPOST_HEADER_TOKENS', 'short', /BOUNCER_SPARKPOST_HEADER_TOKENS/],
    ['BOUNCER_SPARKPOST_TOKEN_HEADER', 'bad header!', /BOUNCER_SPARKPOST_TOKEN_HEADER/],
    ['BOUNCER_SPARKPOST_UNSUBSCRIBE_SCOPE', 'everywhere', /BOUNCER_SPARKPOST_UNSUBSCRIBE_SCOPE/],
    ['BOUNCER_SPARKPOST_ALLOWED_IPS', 'not-an-ip', /BOUNCER_SPARKPOST_ALLOWED_IPS/],
    ['BOUNCER_BREVO_BEARER_TOKENS', 'short', /BOUNCER_BREVO_BEARER_TOKENS/],
    ['BOUNCER_BREVO_ALLOWED_IPS', '300.1.1.1', /BOUNCER_BREVO_ALLOWED_IPS/],
    ['BOUNCER_MAILJET_URL_TOKENS', 'short', /BOUNCER_MAILJET_URL_TOKENS/],
    ['BOUNCER_MAILJET_BASIC_AUTH', 'u:short', /BOUNCER_MAILJET_BASIC_AUTH/],
  ])('stops at start-up on a bad %s, naming it', (setting, value, message) => {
    expect(() => parseConfig({ [setting]: value })).toThrow(message);
  });
});
