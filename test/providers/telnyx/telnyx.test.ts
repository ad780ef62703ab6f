import { generateKeyPairSync } from 'node:crypto';
import { TelnyxWebhook } from 'telnyx/lib/webhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTelnyxAdapter } from '../../../src/providers/telnyx/telnyx.adapter.js';
import type { AdapterResult } from '../../../src/providers/types.js';
import {
  SMS_CTX,
  smsFixture,
  smsRequest,
  telnyxHeaders,
  TELNYX_PUBLIC_KEY_B64,
} from '../../helpers/sms-signers.js';

const BODY = smsFixture('telnyx', 'message-finalized-40300.json');
const KAT9_TS = 1736760161;
const KAT9_SIG =
  '0YzvG1QiM3+5LEYI9TDSyJFc3P6F3ASdg2qG4ygOoALJhYpV3Ai73EeeSXUx2kmQyE+UT2ioZWpSkJ3s4kXMAA==';
const adapter = createTelnyxAdapter({ publicKeys: [TELNYX_PUBLIC_KEY_B64], toleranceSeconds: 300 });
const at = (s: number) => s * 1_000;
const req = (body: string, headers: Record<string, string>, nowS = KAT9_TS + 9) =>
  smsRequest('/webhooks/telnyx', body, headers, at(nowS));
const events = (r: AdapterResult) => (r.kind === 'events' ? r.events : []);
const finalized = (to: object[], errors: object[] = [], id = 'evt-1') =>
  JSON.stringify({
    data: {
      event_type: 'message.finalized',
      id,
      occurred_at: '2025-01-13T09:22:41.000+00:00',
      payload: { id: 'msg-1', type: 'SMS', to, errors },
    },
  });

afterEach(() => vi.restoreAllMocks());

describe('Telnyx signature (spec C §10.2)', () => {
  it('verifies KAT #9, as the official SDK does with its clock at the same time', async () => {
    expect(TELNYX_PUBLIC_KEY_B64).toBe('6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=');
    const headers = { 'telnyx-timestamp': String(KAT9_TS), 'telnyx-signature-ed25519': KAT9_SIG };
    expect(telnyxHeaders(BODY, KAT9_TS)['telnyx-signature-ed25519']).toBe(KAT9_SIG);
    expect(adapter.verify(req(BODY, headers))).toEqual({ ok: true });
    vi.spyOn(Date, 'now').mockReturnValue(at(KAT9_TS + 9));
    await expect(
      new TelnyxWebhook(TELNYX_PUBLIC_KEY_B64).verify(BODY, headers),
    ).resolves.toBeUndefined();
  });

  it('rejects missing headers, a tampered body, another key, stale and future timestamps, empty body', () => {
    const h = telnyxHeaders(BODY, KAT9_TS);
    expect(adapter.verify(req(BODY, {})).ok).toBe(false);
    expect(adapter.verify(req(BODY.replace('40300', '40301'), h)).ok).toBe(false);
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(adapter.verify(req(BODY, telnyxHeaders(BODY, KAT9_TS, other))).ok).toBe(false);
    expect(adapter.verify(req(BODY, h, KAT9_TS + 301))).toEqual({
      ok: false,
      reason: 'telnyx-timestamp is outside the allowed window',
    });
    expect(adapter.verify(req(BODY, h, KAT9_TS - 301)).ok).toBe(false);
    expect(adapter.verify(req('', telnyxHeaders('', KAT9_TS))).ok).toBe(true);
    expect(() => adapter.parse(req('', {}), SMS_CTX)).toThrow(/empty body/);
  });

  it('accepts a rotated key', () => {
    const old = generateKeyPairSync('ed25519')
      .publicKey.export({ format: 'der', type: 'spki' })
      .subarray(12)
      .toString('base64');
    const rotating = createTelnyxAdapter({
      publicKeys: [old, TELNYX_PUBLIC_KEY_B64],
      toleranceSeconds: 300,
    });
    expect(rotating.verify(req(BODY, telnyxHeaders(BODY, KAT9_TS)))).toEqual({ ok: true });
  });
});

describe('Telnyx events (spec C §10.3–10.5)', () => {
  it('turns the KAT #9 sample (40300, STOP) into an SMS opt-out keyed on data.id', () => {
    expect(events(adapter.parse(req(BODY, {}), SMS_CTX))).toMatchObject([
      {
        type: 'sms_failure',
        address: '+15555550123',
        reason: 'sms_opt_out',
        errorCode: '40300',
        diagnostic: 'Blocked due to STOP message',
        dedupKey: '4ee8c3a6-4995-4309-a3c6-38e3db9ea4be|+15555550123',
        providerMessageId: '40385f64-5717-4562-b3fc-2c963f66afa6',
      },
    ]);
  });

  it('does not call a 40300 without STOP in its title an opt-out', () => {
    const body = finalized(
      [{ phone_number: '+15555550124', status: 'delivery_failed' }],
      [{ code: 40300, title: 'Blocked by rule' }],
    );
    expect(events(adapter.parse(req(body, {}), SMS_CTX))[0]).toMatchObject({
      reason: null,
      errorCode: '40300',
    });
  });

  it.each([
    ['40001', 'invalid_number'],
    ['40012', 'invalid_number'],
    ['40310', 'invalid_number'],
    ['40006', 'sms_failure'],
    ['40008', 'sms_failure'],
    ['40003', null],
    ['40010', null],
  ])('maps %s to %s', (code, reason) => {
    const body = finalized(
      [{ phone_number: '+15555550125', status: 'delivery_failed' }],
      [{ code, title: 't' }],
    );
    expect(events(adapter.parse(req(body, {}), SMS_CTX))[0]).toMatchObject({
      reason,
      errorCode: code,
    });
  });

  it('reads delivered, skips unconfirmed recipients, ignores message.sent and unknown types', () => {
    const body = finalized([
      { phone_number: '+15555550126', status: 'delivered' },
      { phone_number: '+15555550127', status: 'delivery_unconfirmed' },
    ]);
    expect(events(adapter.parse(req(body, {}), SMS_CTX)).map((e) => [e.type, e.address])).toEqual([
      ['delivered', '+15555550126'],
    ]);
    expect(
      adapter.parse(req(body.replace('message.finalized', 'message.sent'), {}), SMS_CTX),
    ).toEqual({ kind: 'ignored', reason: 'event type message.sent is not tracked' });
    expect(
      adapter.parse(req(body.replace('message.finalized', 'number_order.complete'), {}), SMS_CTX)
        .kind,
    ).toBe('ignored');
  });

  it('turns an inbound STOP ALL into an opt-out and UNSTOP into an opt-in', () => {
    const inbound = (t: string) =>
      JSON.stringify({
        data: {
          event_type: 'message.received',
          id: `in-${t}`,
          occurred_at: '2025-01-13T09:22:41Z',
          payload: {
            id: 'm',
            type: 'SMS',
            text: t,
            from: { phone_number: '+15555550128' },
            to: [{ phone_number: '+15555550100' }],
          },
        },
      });
    expect(events(adapter.parse(req(inbound('Stop all'), {}), SMS_CTX))).toMatchObject([
      {
        type: 'sms_opt_out',
        address: '+15555550128',
        details: { keyword: 'STOP ALL', receivingNumber: '+15555550100' },
      },
    ]);
    expect(events(adapter.parse(req(inbound('UNSTOP'), {}), SMS_CTX))[0]).toMatchObject({
      type: 'sms_opt_in',
    });
    expect(adapter.parse(req(inbound('hi'), {}), SMS_CTX).kind).toBe('ignored');
  });
});
