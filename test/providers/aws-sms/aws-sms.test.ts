import { describe, expect, it } from 'vitest';
import {
  createAwsSmsEventBridgeAdapter,
  createAwsSmsSnsAdapter,
} from '../../../src/providers/aws-sms/aws-sms.adapter.js';
import type { AdapterResult, WebhookRequest } from '../../../src/providers/types.js';
import { createStaticSnsCertificateSource } from '../../../src/services/ingest/sns-certificates.js';
import {
  signSns,
  snsNotification,
  snsRequest,
  snsSubscriptionMessage,
  TEST_CERT_PEM,
} from '../../helpers/sns-signer.js';
import { SMS_CTX, smsFixture, smsRequest } from '../../helpers/sms-signers.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:sms-events';
const sns = createAwsSmsSnsAdapter({
  topicArns: [TOPIC],
  certificates: createStaticSnsCertificateSource([TEST_CERT_PEM]),
});
const TOKEN = 'aws-sms-url-token-0123456789';
const eb = createAwsSmsEventBridgeAdapter({ urlTokens: [TOKEN], basic: [] });
const EVENT = JSON.parse(smsFixture('aws-sms', 'text-successful.json')) as Record<string, unknown>;
const events = (r: AdapterResult) => (r.kind === 'events' ? r.events : []);
const viaSns = (record: unknown, topic = TOPIC) =>
  snsRequest(signSns(snsNotification(record, { TopicArn: topic })));
const viaEb = (body: unknown, token = TOKEN): WebhookRequest => ({
  ...smsRequest(
    `/webhooks/aws-sms/eventbridge/${token}`,
    JSON.stringify(body),
    { 'content-type': 'application/json' },
    Date.UTC(2026, 0, 5),
  ),
  params: { token },
});

describe('AWS End User Messaging SMS through SNS (spec C §14.1)', () => {
  it('verifies the SNS signature and topic, and reads the §14.2 sample as a delivery', async () => {
    const req = viaSns(EVENT);
    expect(await sns.verify(req)).toEqual({ ok: true });
    expect(events(sns.parse(req, SMS_CTX))).toMatchObject([
      {
        type: 'delivered',
        address: '+14255550156',
        occurredAt: 1686975103470,
        providerMessageId: '862a8790-60c0-4430-9b2b-658bdexample',
        dedupKey: 'event|862a8790-60c0-4430-9b2b-658bdexample|TEXT_SUCCESSFUL|1686975103470',
      },
    ]);
  });

  it('rejects another topic, a tampered message and an unsigned body', async () => {
    expect((await sns.verify(viaSns(EVENT, 'arn:aws:sns:us-east-1:123456789012:other'))).ok).toBe(
      false,
    );
    const signed = signSns(snsNotification(EVENT, { TopicArn: TOPIC }));
    expect(
      (
        await sns.verify(
          snsRequest({ ...signed, Message: signed.Message.replace('SUCCESSFUL', 'INVALID') }),
        )
      ).ok,
    ).toBe(false);
    expect((await sns.verify(smsRequest('/webhooks/aws-sms', '', {}, 0))).ok).toBe(false);
  });

  it('asks to confirm a subscription of an allowed topic', () => {
    const req = snsRequest(signSns(snsSubscriptionMessage('SubscriptionConfirmation', TOPIC)));
    expect(sns.parse(req, SMS_CTX)).toMatchObject({
      kind: 'handshake',
      action: { type: 'confirm-subscription', topicArn: TOPIC },
    });
  });

  it.each([
    ['TEXT_INVALID', 'invalid_number'],
    ['TEXT_BLOCKED', 'carrier_rejection'],
    ['TEXT_UNREACHABLE', 'sms_failure'],
    ['TEXT_TTL_EXPIRED', 'sms_failure'],
    ['TEXT_UNKNOWN', 'sms_failure'],
    ['TEXT_SPAM', null],
    ['TEXT_CARRIER_BLOCKED', null],
  ])('maps %s to %s', (eventType, reason) => {
    expect(events(sns.parse(viaSns({ ...EVENT, eventType }), SMS_CTX))[0]).toMatchObject({
      type: 'sms_failure',
      reason,
      errorCode: eventType,
    });
  });

  it('ignores in-flight and unknown event types, and reads a two-way STOP', () => {
    expect(sns.parse(viaSns({ ...EVENT, eventType: 'TEXT_QUEUED' }), SMS_CTX)).toEqual({
      kind: 'ignored',
      reason: 'event type TEXT_QUEUED is not tracked',
    });
    const inbound = {
      originationNumber: '+14255550157',
      destinationNumber: '+12065550152',
      messageKeyword: 'KEYWORD_123456789012',
      messageBody: 'Stop',
      inboundMessageId: 'in-1',
      previousPublishedMessageId: 'p-1',
    };
    expect(events(sns.parse(viaSns(inbound), SMS_CTX))).toMatchObject([
      { type: 'sms_opt_out', address: '+14255550157', dedupKey: 'inbound|in-1' },
    ]);
  });
});

describe('AWS End User Messaging SMS through an EventBridge API destination', () => {
  const envelope = {
    version: '0',
    id: 'e-1',
    'detail-type': 'Text Message Delivery Status Updated',
    source: 'aws.sms-voice',
    time: '2023-06-17T04:11:43Z',
    detail: { ...EVENT, eventType: 'TEXT_INVALID' },
  };

  it('needs the URL token, and reads the event in detail', () => {
    expect(eb.verify(viaEb(envelope))).toEqual({ ok: true });
    expect(eb.verify(viaEb(envelope, 'wrong-token-0123456789')).ok).toBe(false);
    expect(events(eb.parse(viaEb(envelope), SMS_CTX))[0]).toMatchObject({
      address: '+14255550156',
      reason: 'invalid_number',
    });
  });

  it('takes an operator override of an event type', () => {
    const custom = createAwsSmsEventBridgeAdapter({
      urlTokens: [TOKEN],
      basic: [],
      eventActions: { TEXT_CARRIER_BLOCKED: 'carrier_rejection' },
    });
    expect(
      events(custom.parse(viaEb({ ...EVENT, eventType: 'TEXT_CARRIER_BLOCKED' }), SMS_CTX))[0],
    ).toMatchObject({ reason: 'carrier_rejection' });
  });
});
