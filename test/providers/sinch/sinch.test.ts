import { describe, expect, it } from 'vitest';
import { createSinchAdapter } from '../../../src/providers/sinch/sinch.adapter.js';
import type { AdapterResult } from '../../../src/providers/types.js';
import { sinchHeaders, SMS_CTX, smsFixture, smsRequest } from '../../helpers/sms-signers.js';

const SECRET = 'SMSWebhooksSecret';
const TS = 1736760161;
const NONCE = '01JHFFHWYY7HSS4FWTMDTQEK8V';
const KAT13 = 'ZoHei66PPN/kZjw7hFVfGhJOnml3iGNCMWoyQVcE5o0=';
const BODY = smsFixture('sinch', 'recipient-delivery-report.json');
const adapter = createSinchAdapter({ secrets: [SECRET], toleranceSeconds: 300 });
const req = (body: string, headers: Record<string, string>, nowS = TS + 3) =>
  smsRequest('/webhooks/sinch', body, headers, nowS * 1_000);
const events = (r: AdapterResult) => (r.kind === 'events' ? r.events : []);
const report = (fields: Record<string, unknown>) =>
  JSON.stringify({ ...JSON.parse(BODY), ...fields });

describe('Sinch signature (spec C §12.2)', () => {
  const headers = sinchHeaders(BODY, TS, SECRET, NONCE);

  it('reproduces and verifies KAT #13 (official sinch-sdk-node test vector)', () => {
    expect(headers['x-sinch-webhook-signature']).toBe(KAT13);
    expect(adapter.verify(req(BODY, headers))).toEqual({ ok: true });
  });

  it('rejects missing headers, another secret, a tampered body, stale and future timestamps, other algorithms', () => {
    expect(adapter.verify(req(BODY, {})).ok).toBe(false);
    expect(adapter.verify(req(BODY, sinchHeaders(BODY, TS, 'another_secret_012345'))).ok).toBe(
      false,
    );
    expect(adapter.verify(req(BODY.replace('Delivered', 'Failed'), headers)).ok).toBe(false);
    expect(adapter.verify(req(BODY, headers, TS + 301)).ok).toBe(false);
    expect(adapter.verify(req(BODY, headers, TS - 301)).ok).toBe(false);
    expect(
      adapter.verify(req(BODY, { ...headers, 'x-sinch-webhook-signature-algorithm': 'HmacSHA1' }))
        .ok,
    ).toBe(false);
    expect(adapter.verify(req('', headers)).ok).toBe(false);
  });

  it('accepts a rotated secret', () => {
    const rotating = createSinchAdapter({
      secrets: ['old_secret_0123456789', SECRET],
      toleranceSeconds: 300,
    });
    expect(rotating.verify(req(BODY, headers))).toEqual({ ok: true });
  });
});

describe('Sinch callbacks (spec C §12.3–12.4)', () => {
  it('reads the KAT #13 report as a delivery to +33662162466', () => {
    expect(events(adapter.parse(req(BODY, {}), SMS_CTX))).toMatchObject([
      {
        type: 'delivered',
        address: '+33662162466',
        reason: null,
        providerMessageId: '01JHFFHQ0P99JPPNQPJDV7JTBP',
        occurredAt: Date.parse('2025-01-13T09:22:00Z'),
        dedupKey: 'dr|01JHFFHQ0P99JPPNQPJDV7JTBP|33662162466|delivered|0|2025-01-13T09:22:00Z',
      },
    ]);
  });

  it.each([
    ['Failed', 402, 'sms_failure'],
    ['Failed', 404, 'sms_failure'],
    ['Rejected', 413, null],
    ['Failed', 11, 'sms_failure'],
  ])('maps %s with code %s to %s', (status, code, reason) => {
    expect(events(adapter.parse(req(report({ status, code }), {}), SMS_CTX))[0]).toMatchObject({
      type: 'sms_failure',
      reason,
      errorCode: String(code),
    });
  });

  it('takes an operator SMPP code override from the table', () => {
    const custom = createSinchAdapter({
      secrets: [SECRET],
      toleranceSeconds: 300,
      errorCodes: { '11': 'invalid_number' },
    });
    expect(
      events(custom.parse(req(report({ status: 'Failed', code: 11 }), {}), SMS_CTX))[0],
    ).toMatchObject({ reason: 'invalid_number' });
  });

  it('reads a full batch report per recipient, ignores summaries and unknown types', () => {
    const full = JSON.stringify({
      type: 'delivery_report_sms',
      batch_id: 'b1',
      statuses: [
        { code: 402, status: 'Failed', count: 1, recipients: ['33662162467'] },
        { code: 0, status: 'Delivered', count: 1, recipients: ['33662162468'] },
      ],
    });
    expect(events(adapter.parse(req(full, {}), SMS_CTX)).map((e) => [e.type, e.address])).toEqual([
      ['sms_failure', '+33662162467'],
      ['delivered', '+33662162468'],
    ]);
    const summary = JSON.stringify({
      type: 'delivery_report_sms',
      batch_id: 'b1',
      statuses: [{ code: 0, status: 'Delivered', count: 3 }],
    });
    expect(adapter.parse(req(summary, {}), SMS_CTX).kind).toBe('ignored');
    expect(adapter.parse(req(report({ type: 'mo_binary' }), {}), SMS_CTX)).toEqual({
      kind: 'ignored',
      reason: 'callback type mo_binary is not tracked',
    });
    expect(adapter.parse(req(report({ status: 'Dispatched', code: 401 }), {}), SMS_CTX).kind).toBe(
      'ignored',
    );
  });

  it('turns an inbound mo_text STOP into an opt-out', () => {
    const mo = JSON.stringify({
      type: 'mo_text',
      id: 'mo-1',
      from: '33662162469',
      to: '12345',
      body: 'STOP',
      received_at: '2025-01-13T09:22:40.914Z',
    });
    expect(events(adapter.parse(req(mo, {}), SMS_CTX))).toMatchObject([
      {
        type: 'sms_opt_out',
        address: '+33662162469',
        dedupKey: 'inbound|mo-1',
        details: { receivingNumber: '12345' },
      },
    ]);
  });
});
