import { readFileSync } from 'node:fs';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import {
  bodySha256Hex,
  parseTwilioForm,
  twilioSignature,
  twilioUrlVariants,
  verifyTwilioBodySignature,
  verifyTwilioFormSignature,
} from '../../../src/providers/twilio/twilio-signature.js';

interface Vectors {
  authToken: string;
  params: Record<string, string>;
  urls: Array<{ url: string; sdkInput?: string; signature: string }>;
  arrays: Array<{ url: string; params: Record<string, string | string[]>; signature: string }>;
  json: {
    body: string;
    bodySha256: string;
    cases: Array<{ url: string; signature: string }>;
    emptyBody: string;
    emptyBodySha256: string;
    emptyBodyUrl: string;
    emptyBodySignature: string;
  };
}

const vectors = JSON.parse(
  readFileSync(
    new URL('../../fixtures/providers/twilio/signature-vectors.json', import.meta.url),
    'utf8',
  ),
) as Vectors;
const token = vectors.authToken;
const baseUrl = vectors.urls[0]?.url ?? '';

describe('twilioSignature (spec §2.4 known-answer vectors)', () => {
  it.each(vectors.urls)('signs $url as $signature', ({ url, signature }) => {
    expect(twilioSignature(token, url, vectors.params)).toBe(signature);
  });

  it.each(vectors.arrays)(
    'signs array parameters $params as $signature (values de-duplicated and sorted)',
    ({ url, params, signature }) => {
      expect(twilioSignature(token, url, params)).toBe(signature);
    },
  );

  it('signs a bodySHA256 URL with no parameters', () => {
    for (const { url, signature } of vectors.json.cases)
      expect(twilioSignature(token, url, {})).toBe(signature);
  });

  it('agrees with the official SDK for parameters with non-ASCII text, empty values and odd key order', () => {
    const params = { b: 'é ünïcode ✓', A: '', _x: '+1 555', Z: ['2', '1', '2'] };
    const url = 'https://hooks.example.com/webhooks/twilio/status?tenant=acme';
    expect(twilioSignature('secret', url, params)).toBe(
      twilio.getExpectedTwilioSignature('secret', url, params),
    );
  });
});

describe('verifyTwilioFormSignature', () => {
  it.each(vectors.urls)(
    'accepts $signature for the URL the SDK would be given ($url)',
    ({ url, sdkInput, signature }) => {
      const check = { authTokens: [token], signature, url: sdkInput ?? url };
      expect(verifyTwilioFormSignature(check, vectors.params)).toBe(true);
      expect(twilio.validateRequest(token, signature, sdkInput ?? url, vectors.params)).toBe(true);
    },
  );

  it('accepts a signature over the URL with :443 when Bouncer knows the URL without a port', () => {
    expect(
      verifyTwilioFormSignature(
        { authTokens: [token], signature: 'kvajT1Ptam85bY51eRf/AJRuM3w=', url: baseUrl },
        vectors.params,
      ),
    ).toBe(true);
  });

  it('accepts a signature over the URL without a port when the URL has a non-default port', () => {
    const url = baseUrl.replace('.com', '.com:1234');
    expect(
      verifyTwilioFormSignature(
        { authTokens: [token], signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url },
        vectors.params,
      ),
    ).toBe(true);
  });

  it.each(vectors.arrays)(
    'accepts array parameters in any order ($signature)',
    ({ url, params, signature }) => {
      expect(verifyTwilioFormSignature({ authTokens: [token], signature, url }, params)).toBe(true);
    },
  );

  it('rejects a wrong token, a changed parameter, a changed URL and a missing signature', () => {
    const signature = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
    expect(
      verifyTwilioFormSignature({ authTokens: ['54321'], signature, url: baseUrl }, vectors.params),
    ).toBe(false);
    expect(
      verifyTwilioFormSignature(
        { authTokens: [token], signature, url: baseUrl },
        { ...vectors.params, Digits: '1235' },
      ),
    ).toBe(false);
    expect(
      verifyTwilioFormSignature(
        { authTokens: [token], signature, url: `${baseUrl}&x=1` },
        vectors.params,
      ),
    ).toBe(false);
    expect(
      verifyTwilioFormSignature(
        { authTokens: [token], signature: '', url: baseUrl },
        vectors.params,
      ),
    ).toBe(false);
  });

  it('accepts the signature when any configured token signed it (rotation)', () => {
    const check = {
      authTokens: ['old-token', token],
      signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
      url: baseUrl,
    };
    expect(verifyTwilioFormSignature(check, vectors.params)).toBe(true);
  });

  it('returns false rather than throwing for a URL that cannot be parsed', () => {
    expect(
      verifyTwilioFormSignature({ authTokens: [token], signature: 'x', url: 'not a url' }, {}),
    ).toBe(false);
  });
});

describe('verifyTwilioFormSignature against the SDK', () => {
  const received = [
    'https://hooks.example.com/webhooks/twilio/status?tenant=acme',
    'https://hooks.example.com:8443/webhooks/twilio/status',
    "http://hooks.example.com/p/a%20b?x=It's+a+test&y=%E2%9C%93",
    'https://user:p%40ss@hooks.example.com/bouncer/webhooks/twilio/inbound?a=1&a=2',
  ];
  const signedAs = (url: string): string[] => {
    const u = new URL(url);
    const withPort = `${u.protocol}//${u.username ? `${u.username}:${u.password}@` : ''}${u.hostname}:${u.protocol === 'https:' ? 443 : 80}${u.pathname}${u.search}`;
    return [url, withPort, url.replace('https:', 'http:'), `${url}&z=1`, url.replace(/\?.*$/, '')];
  };
  const params = { MessageSid: 'SM1', Body: 'Stop + go', Tags: ['b', 'a'] };

  it.each(received)('accepts exactly what twilio.validateRequest accepts for %s', (url) => {
    for (const signingUrl of signedAs(url)) {
      const signature = twilio.getExpectedTwilioSignature(token, signingUrl, params);
      const ours = verifyTwilioFormSignature({ authTokens: [token], signature, url }, params);
      expect(ours, signingUrl).toBe(twilio.validateRequest(token, signature, url, params));
    }
  });
});

describe('verifyTwilioBodySignature (spec §2.3)', () => {
  const body = Buffer.from(vectors.json.body, 'utf8');

  it('hashes the raw body to the documented bodySHA256', () => {
    expect(bodySha256Hex(body)).toBe(vectors.json.bodySha256);
    expect(bodySha256Hex(Buffer.from(vectors.json.emptyBody))).toBe(vectors.json.emptyBodySha256);
  });

  it.each(vectors.json.cases)('accepts the body with $signature for $url', ({ url, signature }) => {
    expect(verifyTwilioBodySignature({ authTokens: [token], signature, url }, body)).toBe(true);
  });

  it('accepts the empty-body vector, whose signature covers the URL with :443', () => {
    const check = {
      authTokens: [token],
      signature: vectors.json.emptyBodySignature,
      url: vectors.json.emptyBodyUrl,
    };
    expect(verifyTwilioBodySignature(check, Buffer.from(vectors.json.emptyBody))).toBe(true);
    expect(
      twilio.validateRequestWithBody(token, check.signature, check.url, vectors.json.emptyBody),
    ).toBe(true);
  });

  it('rejects a body that does not hash to bodySHA256 even when the URL signature is valid', () => {
    const [first] = vectors.json.cases;
    const check = { authTokens: [token], signature: first?.signature ?? '', url: first?.url ?? '' };
    expect(
      verifyTwilioBodySignature(check, Buffer.from('{"property": "value", "boolean": false}')),
    ).toBe(false);
  });

  it('rejects a URL without bodySHA256', () => {
    expect(
      verifyTwilioBodySignature(
        { authTokens: [token], signature: twilioSignature(token, baseUrl, {}), url: baseUrl },
        body,
      ),
    ).toBe(false);
  });
});

describe('twilioUrlVariants', () => {
  it('yields the SDK forms: as received, without port, with the standard port, and with the legacy querystring', () => {
    expect(twilioUrlVariants("https://h.example.com/p?Body=It's+amazing")).toEqual([
      "https://h.example.com/p?Body=It's+amazing",
      "https://h.example.com:443/p?Body=It's+amazing",
      'https://h.example.com/p?Body=It%27s+amazing',
      'https://h.example.com:443/p?Body=It%27s+amazing',
      "https://h.example.com/p?Body=It's%20amazing",
    ]);
  });
});

describe('parseTwilioForm', () => {
  it('decodes values and keeps repeated keys as arrays, as the SDK signs them', () => {
    expect(
      parseTwilioForm('To=%2B15551234567&Body=Hi+there&Digits=1&Digits=2&Empty=&a[b]=c'),
    ).toEqual({
      To: '+15551234567',
      Body: 'Hi there',
      Digits: ['1', '2'],
      Empty: '',
      'a[b]': 'c',
    });
  });
});
