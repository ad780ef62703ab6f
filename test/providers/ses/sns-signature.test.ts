import { describe, expect, it } from 'vitest';
import {
  expectedSigningCertNames,
  parseSnsEnvelope,
  snsStringToSign,
  validateSigningCertUrl,
  validateSubscribeUrl,
  verifySnsEnvelope,
  type SnsEnvelope,
} from '../../../src/providers/ses/sns-signature.js';
import { createStaticSnsCertificateSource } from '../../../src/services/ingest/sns-certificates.js';
import {
  AWS_CERT_PEM,
  AWS_MESSAGES,
  AWS_SIGNED,
  AWS_RECEIVED_AT,
  TEST_CERT_PEM,
  TEST_RECEIVED_AT,
  TEST_TOPIC_ARN,
  signSns,
  snsNotification,
  snsSubscriptionMessage,
} from '../../helpers/sns-signer.js';

const testSource = createStaticSnsCertificateSource([TEST_CERT_PEM]);

function envelope(msg: object): SnsEnvelope {
  const parsed = parseSnsEnvelope(Buffer.from(JSON.stringify(msg)));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.envelope;
}

describe('SNS string to sign (spec A §3.3)', () => {
  it('matches the documented Notification example with a Subject, byte for byte', () => {
    const env = {
      Type: 'Notification',
      MessageId: '4d4dc071-ddbf-465d-bba8-08f81c89da64',
      Subject: 'My subject',
      Message: 'My Test Message',
      Timestamp: '2019-01-31T04:37:04.321Z',
      TopicArn: 'arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P',
    } as SnsEnvelope;
    expect(snsStringToSign(env)).toBe(
      'Message\nMy Test Message\nMessageId\n4d4dc071-ddbf-465d-bba8-08f81c89da64\nSubject\nMy subject\nTimestamp\n2019-01-31T04:37:04.321Z\nTopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P\nType\nNotification\n',
    );
  });

  it('signs SubscribeURL and Token for both confirmation types', () => {
    for (const type of ['SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const) {
      const m = snsSubscriptionMessage(type);
      const expected = [
        'Message',
        'MessageId',
        'SubscribeURL',
        'Timestamp',
        'Token',
        'TopicArn',
        'Type',
      ]
        .map((k) => `${k}\n${(m as unknown as Record<string, string>)[k]}\n`)
        .join('');
      expect(snsStringToSign(signSns(m))).toBe(expected);
    }
  });
});

describe.skipIf(!AWS_SIGNED)('real AWS-signed SNS messages (spec A §3.8)', () => {
  // Built in the tests: without ../shared there is no certificate to build it from.
  const awsSource = AWS_SIGNED ? createStaticSnsCertificateSource([AWS_CERT_PEM]) : testSource;
  it('all five verify with the AWS certificate while it is valid', async () => {
    expect(AWS_MESSAGES).toHaveLength(5);
    for (const msg of AWS_MESSAGES) {
      expect(await verifySnsEnvelope(envelope(msg), awsSource, AWS_RECEIVED_AT)).toEqual({
        ok: true,
      });
    }
  });

  it('all five fail once the certificate has expired (after 2026-10-14) and before it was issued', async () => {
    for (const msg of AWS_MESSAGES) {
      expect(
        await verifySnsEnvelope(envelope(msg), awsSource, Date.parse('2026-10-15T00:00:00Z')),
      ).toEqual({ ok: false, reason: 'certificate expired' });
      expect(
        await verifySnsEnvelope(envelope(msg), awsSource, Date.parse('2025-11-09T00:00:00Z')),
      ).toEqual({ ok: false, reason: 'certificate not yet valid' });
    }
  });

  it('a real message with one changed signed field fails', async () => {
    for (const field of ['Message', 'MessageId', 'Timestamp'] as const) {
      const msg = { ...AWS_MESSAGES[0], [field]: `${AWS_MESSAGES[0]![field]}x` };
      expect((await verifySnsEnvelope(envelope(msg), awsSource, AWS_RECEIVED_AT)).ok).toBe(false);
    }
  });

  it('a real message fails against a certificate it was not signed with', async () => {
    expect(
      await verifySnsEnvelope(envelope(AWS_MESSAGES[0]!), testSource, AWS_RECEIVED_AT),
    ).toEqual({ ok: false, reason: 'certificate not yet valid' });
    expect(
      await verifySnsEnvelope(envelope(AWS_MESSAGES[0]!), testSource, TEST_RECEIVED_AT),
    ).toEqual({ ok: false, reason: 'signature does not match' });
  });
});

describe('SNS envelope fields (spec A §3.2)', () => {
  const signed = signSns(snsNotification('hello'));

  it('requires every field of its type', () => {
    for (const field of [
      'Type',
      'MessageId',
      'TopicArn',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertURL',
    ]) {
      const msg: Record<string, unknown> = { ...signed };
      delete msg[field];
      expect(parseSnsEnvelope(Buffer.from(JSON.stringify(msg))).ok).toBe(false);
    }
    for (const field of ['SubscribeURL', 'Token']) {
      const msg: Record<string, unknown> = {
        ...signSns(snsSubscriptionMessage('SubscriptionConfirmation')),
      };
      delete msg[field];
      expect(parseSnsEnvelope(Buffer.from(JSON.stringify(msg)))).toEqual({
        ok: false,
        reason: `missing ${field}`,
      });
    }
  });

  it('refuses empty bodies, non-JSON, unknown types, other signature versions and raw delivery', () => {
    const reasonOf = (body: string) => {
      const r = parseSnsEnvelope(Buffer.from(body));
      return r.ok ? 'ok' : r.reason;
    };
    expect(reasonOf('')).toBe('empty body');
    expect(reasonOf('not json')).toBe('body is not JSON');
    expect(reasonOf(JSON.stringify({ ...signed, Type: 'Other' }))).toBe('unknown SNS message type');
    expect(reasonOf(JSON.stringify({ ...signed, SignatureVersion: '3' }))).toBe(
      'unsupported SignatureVersion',
    );
    expect(reasonOf(JSON.stringify({ notificationType: 'Bounce', bounce: {} }))).toMatch(
      /raw message delivery/,
    );
  });

  it('treats a null Subject as absent', () => {
    const env = envelope({ ...signed, Subject: null });
    expect('Subject' in env).toBe(false);
  });
});

describe('SigningCertURL validation (spec A §3.4)', () => {
  it('accepts AWS SNS endpoints, including China, in the topic region', () => {
    expect(
      validateSigningCertUrl(
        'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
        TEST_TOPIC_ARN,
      ),
    ).toEqual({ ok: true, region: 'us-east-1' });
    expect(
      validateSigningCertUrl(
        'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem',
        'arn:aws-cn:sns:cn-north-1:123456789012:t',
      ).ok,
    ).toBe(true);
  });

  it.each([
    ['http', 'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem'],
    ['another host', 'https://example.com/SimpleNotificationService-abc.pem'],
    ['a look-alike host', 'https://sns.example.com.evil.com/SimpleNotificationService-abc.pem'],
    [
      'an AWS host as a prefix',
      'https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-abc.pem',
    ],
    ['credentials before the host', 'https://sns.us-east-1.amazonaws.com@evil.com/x.pem'],
    ['user info', 'https://user@sns.us-east-1.amazonaws.com/x.pem'],
    ['a port', 'https://sns.us-east-1.amazonaws.com:8443/x.pem'],
    ['a non-.pem path', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.crt'],
    ['.pem only in the query', 'https://sns.us-east-1.amazonaws.com/cert?x=.pem'],
    ['a query after .pem', 'https://sns.us-east-1.amazonaws.com/x.pem?a=b'],
    ['another region than the topic', 'https://sns.eu-west-1.amazonaws.com/x.pem'],
    ['a China host for a global topic', 'https://sns.us-east-1.amazonaws.com.cn/x.pem'],
    ['not a URL', 'sns.us-east-1.amazonaws.com/x.pem'],
  ])('refuses %s', (_what, url) => {
    expect(validateSigningCertUrl(url, TEST_TOPIC_ARN).ok).toBe(false);
  });

  it('refuses a validly signed message whose SigningCertURL is bad', async () => {
    const msg = signSns(snsNotification('hello'), {
      certUrl: 'https://sns.example.com.evil.com/x.pem',
    });
    expect(await verifySnsEnvelope(msg, testSource, TEST_RECEIVED_AT)).toEqual({
      ok: false,
      reason: 'SigningCertURL host is not an SNS endpoint',
    });
  });
});

describe('SubscribeURL validation (spec A §3.10)', () => {
  const good = snsSubscriptionMessage('SubscriptionConfirmation').SubscribeURL!;

  it('accepts the ConfirmSubscription call for the topic itself', () => {
    expect(validateSubscribeUrl(good, TEST_TOPIC_ARN)).toEqual({ ok: true });
  });

  it('refuses other topics, hosts, schemes and actions', () => {
    expect(validateSubscribeUrl(good, 'arn:aws:sns:us-east-1:123456789012:other').ok).toBe(false);
    expect(validateSubscribeUrl(good.replace('https:', 'http:'), TEST_TOPIC_ARN).ok).toBe(false);
    expect(
      validateSubscribeUrl(
        good.replace('sns.us-east-1.amazonaws.com', 'sns.example.com'),
        TEST_TOPIC_ARN,
      ).ok,
    ).toBe(false);
    expect(
      validateSubscribeUrl(good.replace('ConfirmSubscription', 'Unsubscribe'), TEST_TOPIC_ARN).ok,
    ).toBe(false);
    expect(
      validateSubscribeUrl(good.replace('sns.us-east-1', 'sns.eu-west-1'), TEST_TOPIC_ARN).ok,
    ).toBe(false);
  });
});

describe('signing certificate names (spec A §3.4)', () => {
  it('expects the region-specific name where AWS uses one', () => {
    expect(expectedSigningCertNames('us-east-1')).toEqual(['sns.amazonaws.com']);
    expect(expectedSigningCertNames('af-south-1')).toContain(
      'sns-signing.af-south-1.amazonaws.com',
    );
    expect(expectedSigningCertNames('cn-north-1')).toEqual(['sns-cn-north-1.amazonaws.com.cn']);
  });
});
