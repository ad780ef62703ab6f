import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticSnsCertificateSource } from '../../../src/services/ingest/sns-certificates.js';
import { auth, buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import { expectUnauthorized, suppressionOf } from '../../helpers/provider-http.js';
import {
  signSns,
  snsNotification,
  TEST_CERT_PEM,
  TEST_RECEIVED_AT,
} from '../../helpers/sns-signer.js';
import { smsFixture } from '../../helpers/sms-signers.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:sms-events';
const TOKEN = 'aws-sms-url-token-0123456789';
const EVENT = JSON.parse(smsFixture('aws-sms', 'text-successful.json')) as Record<string, unknown>;

async function check(t: TestApp, number: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/check',
    headers: auth(),
    payload: { recipients: [number] },
  });
  return res.json<{ allowed: string[]; suppressed: Array<{ reason: string }> }>();
}

describe.each(testDialects())('/webhooks/aws-sms on %s', (dialect) => {
  let t: TestApp;
  const viaSns = (record: unknown, id: string) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/aws-sms',
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
      payload: JSON.stringify(signSns(snsNotification(record, { TopicArn: TOPIC, MessageId: id }))),
    });
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock: new FixedClock(TEST_RECEIVED_AT),
      env: { BOUNCER_AWS_SMS_TOPIC_ARNS: TOPIC, BOUNCER_AWS_SMS_URL_TOKEN: TOKEN },
      services: { snsCertificates: createStaticSnsCertificateSource([TEST_CERT_PEM]) },
    });
  });
  afterAll(async () => t.close());

  it('accepts the §14.2 sample through SNS and suppresses a TEXT_INVALID number', async () => {
    expect((await viaSns(EVENT, 'm-1')).statusCode).toBe(200);
    expect(
      (
        await viaSns(
          {
            ...EVENT,
            eventType: 'TEXT_INVALID',
            destinationPhoneNumber: '+14255550160',
            messageId: 'x2',
          },
          'm-2',
        )
      ).statusCode,
    ).toBe(200);
    await t.drain();
    expect(await check(t, '+14255550160')).toMatchObject({
      suppressed: [{ reason: 'invalid_number' }],
    });
    expect(await check(t, '+14255550156')).toMatchObject({ allowed: ['+14255550156'] });
  });

  it('turns a two-way STOP into an opt-out and START lifts it', async () => {
    const inbound = (messageBody: string, id: string) => ({
      originationNumber: '+14255550161',
      destinationNumber: '+12065550152',
      messageBody,
      inboundMessageId: id,
    });
    await viaSns(inbound('STOP', 'in-1'), 'm-3');
    await t.drain();
    expect(await suppressionOf(t, '+14255550161')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'sms_opt_out', source: 'aws-sms' }],
    });
    await viaSns(inbound('START', 'in-2'), 'm-4');
    await t.drain();
    expect(await check(t, '+14255550161')).toMatchObject({ allowed: ['+14255550161'] });
  });

  it('takes EventBridge events with the URL token and refuses a wrong one', async () => {
    const body = JSON.stringify({
      id: 'e-1',
      source: 'aws.sms-voice',
      detail: {
        ...EVENT,
        eventType: 'TEXT_BLOCKED',
        destinationPhoneNumber: '+14255550162',
        messageId: 'x3',
      },
    });
    const ok = await t.app.inject({
      method: 'POST',
      url: `/webhooks/aws-sms/eventbridge/${TOKEN}`,
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    expect(ok.statusCode).toBe(200);
    await t.drain();
    expect(await check(t, '+14255550162')).toMatchObject({
      suppressed: [{ reason: 'carrier_rejection' }],
    });
    expectUnauthorized(
      await t.app.inject({
        method: 'POST',
        url: '/webhooks/aws-sms/eventbridge/wrong-token-0123456789',
        headers: { 'content-type': 'application/json' },
        payload: body,
      }),
    );
  });
});
