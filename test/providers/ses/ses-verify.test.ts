import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors.js';
import { createSesAdapter } from '../../../src/providers/ses/ses.adapter.js';
import { createStaticSnsCertificateSource } from '../../../src/services/ingest/sns-certificates.js';
import {
  AWS_CERT_PEM,
  AWS_MESSAGES,
  AWS_SIGNED,
  AWS_RECEIVED_AT,
  AWS_TOPIC_ARN,
  TEST_CERT_PEM,
  TEST_TOPIC_ARN,
  signSns,
  snsNotification,
  snsRequest,
  snsSubscriptionMessage,
} from '../../helpers/sns-signer.js';

const adapter = createSesAdapter({
  topicArns: [TEST_TOPIC_ARN],
  certificates: createStaticSnsCertificateSource([TEST_CERT_PEM]),
});
const bounce = {
  notificationType: 'Bounce',
  mail: { messageId: 'm1', destination: ['a@example.com'] },
  bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'a@example.com' }] },
};

describe('SES adapter verification of our own signed messages', () => {
  const messages = [
    ['Notification', snsNotification(bounce)],
    [
      'Notification with a Subject',
      snsNotification(bounce, { Subject: 'Amazon SES Email Event Notification' }),
    ],
    ['SubscriptionConfirmation', snsSubscriptionMessage('SubscriptionConfirmation')],
    ['UnsubscribeConfirmation', snsSubscriptionMessage('UnsubscribeConfirmation')],
  ] as const;

  for (const version of ['1', '2'] as const) {
    it.each(messages)(`accepts a %s with SignatureVersion ${version}`, async (_name, msg) => {
      expect(await adapter.verify(snsRequest(signSns(msg, { version })))).toEqual({ ok: true });
    });
  }

  it('verifies non-ASCII text and escaped newlines as the decoded UTF-8 strings', async () => {
    const msg = snsNotification('Grüße ✓ \u00e9\nsecond line', { Subject: 'Überschrift' });
    for (const version of ['1', '2'] as const) {
      expect(await adapter.verify(snsRequest(signSns(msg, { version })))).toEqual({ ok: true });
    }
  });

  it('refuses a message from a topic that is not configured, however well signed', async () => {
    const foreign = 'arn:aws:sns:us-east-1:123456789012:someone-else';
    for (const msg of [
      snsNotification(bounce, { TopicArn: foreign }),
      snsSubscriptionMessage('SubscriptionConfirmation', foreign),
    ]) {
      expect(await adapter.verify(snsRequest(signSns(msg)))).toEqual({
        ok: false,
        reason: 'TopicArn is not an allowed topic',
      });
    }
  });

  it('refuses a message signed with another key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(await adapter.verify(snsRequest(signSns(snsNotification(bounce), { keyPem })))).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('refuses a tampered Message, and a signature of one version presented as the other', async () => {
    const signed = signSns(snsNotification(bounce));
    expect(
      (
        await adapter.verify(
          snsRequest({ ...signed, Message: signed.Message.replace('Permanent', 'Transient') }),
        )
      ).ok,
    ).toBe(false);
    expect((await adapter.verify(snsRequest({ ...signed, SignatureVersion: '1' }))).ok).toBe(false);
  });

  it('refuses a message missing a required field, an empty body and a raw-delivery body', async () => {
    const { Signature: _omit, ...unsigned } = signSns(snsNotification(bounce));
    expect(await adapter.verify(snsRequest(unsigned))).toEqual({
      ok: false,
      reason: 'missing Signature',
    });
    expect(await adapter.verify(snsRequest(''))).toEqual({ ok: false, reason: 'empty body' });
    expect((await adapter.verify(snsRequest(bounce))).ok).toBe(false);
  });

  it('refuses bad signing certificate URLs even when the signature is right', async () => {
    for (const certUrl of [
      'http://sns.us-east-1.amazonaws.com/c.pem',
      'https://sns.example.com.evil.com/c.pem',
      'https://sns.us-east-1.amazonaws.com/c.txt',
      'https://evil.com/c.pem',
    ]) {
      expect(
        (await adapter.verify(snsRequest(signSns(snsNotification(bounce), { certUrl })))).ok,
      ).toBe(false);
    }
  });

  it('refuses a message received before its certificate is valid (time frozen by receivedAt)', async () => {
    const req = snsRequest(signSns(snsNotification(bounce)), Date.parse('2026-11-01T00:00:00Z'));
    expect(await adapter.verify(req)).toEqual({ ok: false, reason: 'certificate not yet valid' });
  });
});

describe.skipIf(!AWS_SIGNED)('SES adapter verification of real AWS-signed messages', () => {
  const aws = createSesAdapter({
    topicArns: [AWS_TOPIC_ARN],
    certificates: createStaticSnsCertificateSource([AWS_SIGNED ? AWS_CERT_PEM : TEST_CERT_PEM]),
  });

  it('accepts all five while the AWS certificate is valid', async () => {
    for (const msg of AWS_MESSAGES)
      expect(await aws.verify(snsRequest(msg, AWS_RECEIVED_AT))).toEqual({ ok: true });
  });

  it('refuses all five after the certificate expired on 2026-10-14', async () => {
    for (const msg of AWS_MESSAGES) {
      expect(await aws.verify(snsRequest(msg, Date.parse('2026-10-15T00:00:00Z')))).toEqual({
        ok: false,
        reason: 'certificate expired',
      });
    }
  });

  it('refuses them when their topic is not the configured one', async () => {
    for (const msg of AWS_MESSAGES)
      expect((await adapter.verify(snsRequest(msg, AWS_RECEIVED_AT))).ok).toBe(false);
  });
});

describe('SES adapter configuration and outages', () => {
  it('fails at startup without topics or with a malformed topic ARN, naming the setting', () => {
    const certificates = createStaticSnsCertificateSource([TEST_CERT_PEM]);
    expect(() => createSesAdapter({ topicArns: [], certificates })).toThrow(
      /BOUNCER_SES_TOPIC_ARNS/,
    );
    expect(() => createSesAdapter({ topicArns: ['ses-bounces'], certificates })).toThrow(
      /BOUNCER_SES_TOPIC_ARNS/,
    );
  });

  it('rejects (503, not 401) when the certificate source cannot answer', async () => {
    const down = createSesAdapter({
      topicArns: [TEST_TOPIC_ARN],
      certificates: {
        candidates: () =>
          Promise.reject(new AppError('BOUNCER_ERR_UNAVAILABLE', 'AWS unreachable')),
      },
    });
    await expect(down.verify(snsRequest(signSns(snsNotification(bounce))))).rejects.toMatchObject({
      code: 'BOUNCER_ERR_UNAVAILABLE',
      status: 503,
    });
  });
});
