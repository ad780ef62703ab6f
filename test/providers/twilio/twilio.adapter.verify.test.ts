import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/core/errors.js';
import { createTwilioStatusAdapter } from '../../../src/providers/twilio/twilio.adapter.js';
import {
  formBody,
  signedTwilioJsonRequest,
  signedTwilioRequest,
  statusParams,
  twilioSpecSample,
  TWILIO_TEST_PUBLIC_URL,
  TWILIO_TEST_TOKEN,
  webhookRequest,
} from '../../helpers/twilio-signer.js';

const ctx = { defaultPhoneRegion: 'US' };
const PATH = '/webhooks/twilio/status';
const adapter = createTwilioStatusAdapter({
  authTokens: [TWILIO_TEST_TOKEN],
  publicUrl: TWILIO_TEST_PUBLIC_URL,
});
const sampleRequest = twilioSpecSample;

describe('Twilio adapters: signature verification', () => {
  it('accepts the spec §2.12 status callback with its published signature', () => {
    expect(adapter.verify(sampleRequest('status'))).toEqual({ ok: true });
  });

  it('rejects a request without X-Twilio-Signature', () => {
    const req = webhookRequest(PATH, formBody(statusParams()), {});
    expect(adapter.verify(req)).toEqual({ ok: false, reason: 'missing X-Twilio-Signature header' });
  });

  it('rejects a request signed with another token', () => {
    const req = signedTwilioRequest(statusParams(), {
      path: PATH,
      token: 'another_token_0123456789abcdef00',
    });
    expect(adapter.verify(req).ok).toBe(false);
  });

  it('rejects a tampered body', () => {
    const req = sampleRequest('status');
    const tampered = {
      ...req,
      rawBody: Buffer.from(req.rawBody.toString().replace('ErrorCode=30005', 'ErrorCode=30007')),
    };
    expect(adapter.verify(tampered).ok).toBe(false);
  });

  it('rejects a field Twilio did not send, appended to the body', () => {
    const req = sampleRequest('status');
    expect(
      adapter.verify({ ...req, rawBody: Buffer.concat([req.rawBody, Buffer.from('&Extra=1')]) }).ok,
    ).toBe(false);
  });

  it('rejects the signature when the query string was changed', () => {
    const req = sampleRequest('status');
    expect(adapter.verify({ ...req, url: '/webhooks/twilio/status?tenant=other' }).ok).toBe(false);
  });

  it('accepts the old and the new Auth Token during a rotation', () => {
    const rotating = createTwilioStatusAdapter({
      authTokens: ['new_token_fedcba9876543210fedcba', TWILIO_TEST_TOKEN],
      publicUrl: TWILIO_TEST_PUBLIC_URL,
    });
    expect(rotating.verify(sampleRequest('status'))).toEqual({ ok: true });
    const signedWithNew = signedTwilioRequest(statusParams(), {
      path: PATH,
      token: 'new_token_fedcba9876543210fedcba',
    });
    expect(rotating.verify(signedWithNew)).toEqual({ ok: true });
  });

  it('verifies against the public URL including a path prefix and credentials', () => {
    const publicUrl = 'https://user:pass@proxy.example.com/bouncer/';
    const prefixed = createTwilioStatusAdapter({ authTokens: [TWILIO_TEST_TOKEN], publicUrl });
    const req = signedTwilioRequest(statusParams(), {
      path: PATH,
      publicUrl: 'https://user:pass@proxy.example.com/bouncer',
    });
    expect(prefixed.verify(req)).toEqual({ ok: true });
    expect(adapter.verify(req).ok).toBe(false);
  });

  it('accepts a signature Twilio computed over the URL with the default port', () => {
    const req = signedTwilioRequest(statusParams(), {
      path: PATH,
      publicUrl: 'https://hooks.example.com:443',
    });
    expect(adapter.verify(req)).toEqual({ ok: true });
  });

  it('verifies repeated form keys as the SDK signs them', () => {
    const req = signedTwilioRequest(statusParams({ Extra: ['b', 'a', 'b'] }), { path: PATH });
    expect(adapter.verify(req)).toEqual({ ok: true });
  });

  it('accepts a signed empty body and rejects an unsigned one', () => {
    const signed = signedTwilioRequest({}, { path: PATH });
    expect(signed.rawBody.length).toBe(0);
    expect(adapter.verify(signed)).toEqual({ ok: true });
    expect(adapter.verify(webhookRequest(PATH, '', { 'x-twilio-signature': 'AAAA' })).ok).toBe(
      false,
    );
  });

  it('verifies the spec §2.12 JSON-body sample (URL signature and bodySHA256)', () => {
    const req = sampleRequest('json');
    expect(adapter.verify(req)).toEqual({ ok: true });
    expect(
      adapter.verify({
        ...req,
        rawBody: Buffer.from('{"messageSid":"SMx","messageStatus":"FAILED"}'),
      }).ok,
    ).toBe(false);
  });

  it('verifies a JSON-body request signed by the SDK and then ignores it', () => {
    const req = signedTwilioJsonRequest('{"hello":"world"}', { path: PATH });
    expect(adapter.verify(req)).toEqual({ ok: true });
    expect(adapter.parse(req, ctx)).toMatchObject({ kind: 'ignored' });
  });

  it('refuses to start without a token or with an unusable public URL, naming the setting', () => {
    const attempts = [
      () => createTwilioStatusAdapter({ authTokens: [' ', ''], publicUrl: TWILIO_TEST_PUBLIC_URL }),
      () =>
        createTwilioStatusAdapter({
          authTokens: [TWILIO_TEST_TOKEN],
          publicUrl: 'hooks.example.com',
        }),
      () =>
        createTwilioStatusAdapter({
          authTokens: [TWILIO_TEST_TOKEN],
          publicUrl: 'ftp://hooks.example.com',
        }),
      () =>
        createTwilioStatusAdapter({
          authTokens: [TWILIO_TEST_TOKEN],
          publicUrl: 'https://hooks.example.com/?a=1',
        }),
    ];
    const messages = attempts.map((attempt) => {
      try {
        attempt();
        return 'no error';
      } catch (err) {
        return isAppError(err) && err.code === 'BOUNCER_ERR_CONFIG'
          ? err.message
          : `unexpected ${String(err)}`;
      }
    });
    expect(messages[0]).toMatch(/^BOUNCER_TWILIO_AUTH_TOKEN:/);
    for (const m of messages.slice(1)) expect(m).toMatch(/^BOUNCER_PUBLIC_URL:/);
  });
});
