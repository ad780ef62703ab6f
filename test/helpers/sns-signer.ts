import { sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SnsEnvelope } from '../../src/providers/ses/sns-signature.js';
import type { WebhookRequest } from '../../src/providers/types.js';
import { sharedDir, skipLeg } from './legs.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/providers/ses/${name}`, import.meta.url), 'utf8');

/** Self-made certificate (CN=sns.amazonaws.com, valid 2026-11-22 → 2036-11-19) and its key. */
export const TEST_CERT_PEM = fixture('test-signing-cert.pem');
export const TEST_KEY_PEM = fixture('test-signing-key.pem');

export const TEST_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:ses-bounces';
export const TEST_CERT_URL =
  'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000000000000a.pem';
/** Inside the test certificate's validity. */
export const TEST_RECEIVED_AT = Date.parse('2026-11-23T12:00:00.000Z');

/**
 * The five real AWS-signed messages and AWS's signing certificate (valid 2025-11-10 → 2026-10-14)
 * live in ../shared/providers/fixtures/sns/, outside the repository: the tests that need them are
 * the "shared material" leg, skipped (`describe.skipIf(!AWS_SIGNED)`) when ../shared is absent.
 */
const AWS_DIR = skipLeg('shared') ? null : join(sharedDir() ?? '', 'providers/fixtures/sns');
export const AWS_SIGNED = AWS_DIR !== null;
/** Path of AWS's certificate in ../shared (empty when the leg is skipped). */
export const AWS_CERT_PATH = AWS_DIR ? join(AWS_DIR, 'aws-signing-cert-2025.pem') : '';
export const AWS_CERT_PEM = AWS_DIR ? readFileSync(AWS_CERT_PATH, 'utf8') : '';
/** The topic, receipt time inside the AWS cert's validity, and the five real AWS-signed messages. */
export const AWS_TOPIC_ARN = 'arn:aws:sns:us-west-2:131990247566:dongie-standard-topic';
export const AWS_RECEIVED_AT = Date.parse('2026-03-07T00:00:00.000Z');
export const AWS_MESSAGES = AWS_DIR
  ? (JSON.parse(readFileSync(join(AWS_DIR, 'aws-signed-messages.json'), 'utf8')) as Array<
      Record<string, string>
    >)
  : [];

type Unsigned = Omit<SnsEnvelope, 'SignatureVersion' | 'Signature' | 'SigningCertURL'>;

const SIGNED_KEYS: Record<SnsEnvelope['Type'], string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
  UnsubscribeConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
};

/**
 * Signs an SNS message as AWS does (spec A §3.3, §3.9), independently of the code under test:
 * SHA1withRSA for version 1, SHA256withRSA for version 2.
 */
export function signSns(
  msg: Unsigned,
  opts: { version?: '1' | '2'; certUrl?: string; keyPem?: string } = {},
): SnsEnvelope {
  const version = opts.version ?? '2';
  const m: Record<string, string | undefined> = {
    ...msg,
    SignatureVersion: version,
    SigningCertURL: opts.certUrl ?? TEST_CERT_URL,
  };
  const toSign = SIGNED_KEYS[msg.Type]
    .filter((k) => m[k] !== undefined)
    .map((k) => `${k}\n${m[k]}\n`)
    .join('');
  const signature = sign(
    version === '1' ? 'sha1' : 'sha256',
    Buffer.from(toSign, 'utf8'),
    opts.keyPem ?? TEST_KEY_PEM,
  );
  return { ...(m as unknown as SnsEnvelope), Signature: signature.toString('base64') };
}

export function snsNotification(message: unknown, fields: Partial<Unsigned> = {}): Unsigned {
  return {
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: TEST_TOPIC_ARN,
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: '2026-11-23T11:59:59.123Z',
    ...fields,
  };
}

export function snsSubscriptionMessage(
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation',
  topicArn = TEST_TOPIC_ARN,
): Unsigned {
  const token = '2336412f37fb687f5d51e6e2425929f52e8e353134fe72d55ef8b330217d82da';
  return {
    Type: type,
    MessageId: 'f3f2fc87-c426-4c2f-9044-b55890c0939c',
    Token: token,
    TopicArn: topicArn,
    Message: `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${topicArn}&Token=${token}`,
    Timestamp: '2026-11-23T11:59:59.123Z',
  };
}

/** A request as SNS posts it: `text/plain` JSON body, unsigned `x-amz-sns-*` headers. */
export function snsRequest(body: object | string, receivedAt = TEST_RECEIVED_AT): WebhookRequest {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const parsed = typeof body === 'string' ? {} : (body as Record<string, unknown>);
  return {
    rawBody: Buffer.from(raw, 'utf8'),
    headers: {
      'content-type': 'text/plain; charset=UTF-8',
      'user-agent': 'Amazon Simple Notification Service Agent',
      'x-amz-sns-message-type': typeof parsed.Type === 'string' ? parsed.Type : undefined,
      'x-amz-sns-message-id': typeof parsed.MessageId === 'string' ? parsed.MessageId : undefined,
      'x-amz-sns-topic-arn': typeof parsed.TopicArn === 'string' ? parsed.TopicArn : undefined,
    },
    url: '/webhooks/ses',
    params: {},
    receivedAt,
  };
}
