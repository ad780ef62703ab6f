import { describe, expect, it } from 'vitest';
import { createInfobipAdapter } from '../../../src/providers/infobip/infobip.adapter.js';
import type { AdapterResult, WebhookRequest } from '../../../src/providers/types.js';
import { SMS_CTX, smsFixture, smsRequest } from '../../helpers/sms-signers.js';

const TOKEN = 'infobip-url-token-0123456789';
const adapter = createInfobipAdapter({
  urlTokens: [TOKEN],
  basic: ['bouncer:infobip-basic-secret-01'],
});
const NOW = Date.UTC(2026, 0, 5);
const req = (
  body: string,
  token: string | null = TOKEN,
  headers: Record<string, string> = {},
): WebhookRequest => ({
  ...smsRequest(
    token === null ? '/webhooks/infobip' : `/webhooks/infobip/${token}`,
    body,
    { 'content-type': 'application/json', ...headers },
    NOW,
  ),
  params: token === null ? {} : { token: token },
});
const events = (r: AdapterResult) => (r.kind === 'events' ? r.events : []);
const result = (status: object, error: object, to = '41793026732', messageId = 'm-1') => ({
  messageId,
  to,
  doneAt: '2019-04-09T16:01:56.494-0300',
  status,
  error,
});
const UNDELIVERABLE = {
  id: 9,
  groupId: 2,
  groupName: 'UNDELIVERABLE',
  name: 'UNDELIVERABLE_NOT_DELIVERED',
};

describe('Infobip verification (no signature: URL token or Basic, spec C §13.2)', () => {
  it('accepts the token or Basic credentials, rejects others and their absence', () => {
    const body = smsFixture('infobip', 'delivery-report-delivered.json');
    expect(adapter.verify(req(body))).toEqual({ ok: true });
    expect(adapter.verify(req(body, 'wrong-token-0123456789')).ok).toBe(false);
    expect(adapter.verify(req(body, null)).ok).toBe(false);
    const basic = `Basic ${Buffer.from('bouncer:infobip-basic-secret-01').toString('base64')}`;
    expect(adapter.verify(req(body, null, { authorization: basic }))).toEqual({ ok: true });
  });
});

describe('Infobip delivery reports (spec C §13.3–13.4)', () => {
  it('reads the §13.6 sample as a delivery to the handset of +41793026731', () => {
    expect(
      events(adapter.parse(req(smsFixture('infobip', 'delivery-report-delivered.json')), SMS_CTX)),
    ).toMatchObject([
      {
        type: 'delivered',
        address: '+41793026731',
        occurredAt: Date.parse('2019-04-09T16:01:56.494-03:00'),
        dedupKey: 'dr|fb469d73-d362-463f-b30f-1e959b53badc|5|0|2019-04-09T16:01:56.494-0300',
      },
    ]);
  });

  it('classifies by error group and the permanent flag, keeping the other reports of a batch', () => {
    const body = JSON.stringify({
      results: [
        result(
          UNDELIVERABLE,
          { id: 1, groupId: 1, name: 'EC_UNKNOWN_SUBSCRIBER', permanent: true },
          '41793026733',
          'a',
        ),
        result(
          UNDELIVERABLE,
          { id: 27, groupId: 1, name: 'EC_ABSENT_SUBSCRIBER', permanent: false },
          '41793026734',
          'b',
        ),
        result(
          { id: 15, groupId: 4, groupName: 'EXPIRED', name: 'EXPIRED_EXPIRED' },
          { id: 0, groupId: 0 },
          '41793026735',
          'c',
        ),
        result(
          { id: 6, groupId: 5, groupName: 'REJECTED', name: 'REJECTED_NETWORK' },
          { id: 2050, groupId: 2, name: 'EC_CONTENT', permanent: true },
          '41793026736',
          'd',
        ),
        result(
          { id: 9, groupId: 2, groupName: 'UNDELIVERABLE' },
          { id: 5000, groupId: 1, name: 'EC_SOMETHING_HANDSET', permanent: true },
          '41793026737',
          'e',
        ),
        { messageId: 'f', to: 'not a number', status: UNDELIVERABLE, error: {} },
        result(
          { id: 7, groupId: 1, groupName: 'PENDING', name: 'PENDING_ENROUTE' },
          {},
          '41793026738',
          'g',
        ),
      ],
    });
    const r = adapter.parse(req(body), SMS_CTX);
    expect(events(r).map((e) => [e.address, e.reason, e.errorCode])).toEqual([
      ['+41793026733', 'invalid_number', '1'],
      ['+41793026734', 'sms_failure', '27'],
      ['+41793026735', 'sms_failure', '0'],
      ['+41793026736', null, '2050'],
      ['+41793026737', 'invalid_number', '5000'],
    ]);
    expect(r.kind === 'events' && r.errors.map((e) => e.index)).toEqual([5]);
  });

  it('lets an operator override an error id', () => {
    const custom = createInfobipAdapter({
      urlTokens: [TOKEN],
      basic: [],
      errorCodes: { '2050': 'carrier_rejection' },
    });
    const body = JSON.stringify({
      results: [
        result(
          { id: 6, groupId: 5, groupName: 'REJECTED' },
          { id: 2050, groupId: 2, permanent: true },
        ),
      ],
    });
    expect(events(custom.parse(req(body), SMS_CTX))[0]).toMatchObject({
      reason: 'carrier_rejection',
    });
  });

  it('turns an inbound STOP into an opt-out, ignores other text, rejects a body without results', () => {
    const mo = (text: string) =>
      JSON.stringify({
        results: [
          {
            messageId: 'mo-1',
            from: '41793026739',
            to: '41790000000',
            text,
            cleanText: text,
            keyword: text,
            receivedAt: '2019-04-09T16:01:56.494+0000',
          },
        ],
      });
    expect(events(adapter.parse(req(mo('STOP')), SMS_CTX))).toMatchObject([
      { type: 'sms_opt_out', address: '+41793026739', dedupKey: 'inbound|mo-1' },
    ]);
    expect(adapter.parse(req(mo('Hello')), SMS_CTX).kind).toBe('ignored');
    expect(() => adapter.parse(req('{"foo":1}'), SMS_CTX)).toThrow(/results/);
    expect(() => adapter.parse(req(''), SMS_CTX)).toThrow(/empty body/);
  });
});
