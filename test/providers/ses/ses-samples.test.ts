import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NormalisedEvent } from '../../../src/core/events.js';
import { dedupHash } from '../../../src/core/hash.js';
import { createSesAdapter } from '../../../src/providers/ses/ses.adapter.js';
import type { AdapterResult } from '../../../src/providers/types.js';
import { createStaticSnsCertificateSource } from '../../../src/services/ingest/sns-certificates.js';
import {
  TEST_CERT_PEM,
  TEST_TOPIC_ARN,
  signSns,
  snsNotification,
  snsRequest,
  snsSubscriptionMessage,
} from '../../helpers/sns-signer.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/providers/ses/${name}`, import.meta.url), 'utf8'),
  );
const adapter = createSesAdapter({
  topicArns: [TEST_TOPIC_ARN],
  certificates: createStaticSnsCertificateSource([TEST_CERT_PEM]),
});
const ctx = { defaultPhoneRegion: 'US' };
const MESSAGE_ID = '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324';

function eventsOf(result: AdapterResult): NormalisedEvent[] {
  if (result.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(result)}`);
  expect(result.errors).toEqual([]);
  return result.events;
}
/** Signs `message` as a Notification of the test topic, checks it verifies, and parses it. */
async function deliver(message: unknown): Promise<AdapterResult> {
  const req = snsRequest(signSns(snsNotification(message, { MessageId: MESSAGE_ID })));
  expect(await adapter.verify(req)).toEqual({ ok: true });
  return adapter.parse(req, ctx);
}
const pick = (e: NormalisedEvent) => ({
  type: e.type,
  address: e.address,
  reason: e.reason,
  severity: e.severity,
  scope: e.scope,
  dedupKey: e.dedupKey,
});

describe('SES sample: bounce feedback notification (spec A §3.15)', () => {
  const envelope = fixture('sample-bounce-notification.json');

  it('suppresses only the bounced recipient, never the other destination', async () => {
    const signed = signSns({ ...(envelope as ReturnType<typeof snsNotification>) });
    const req = snsRequest(signed);
    expect(await adapter.verify(req)).toEqual({ ok: true });
    const events = eventsOf(adapter.parse(req, ctx));
    expect(events.map(pick)).toEqual([
      {
        type: 'bounce',
        address: 'recipient1@example.com',
        reason: 'hard_bounce',
        severity: 'hard',
        scope: '*',
        dedupKey: dedupHash(
          'ses',
          MESSAGE_ID,
          '000001378603176d-5a4b5ad9-6f30-4198-a8c3-b1eb0c270a1d-000000',
          'bounce',
          '*',
          'recipient1@example.com',
        ),
      },
    ]);
    expect(events[0]).toMatchObject({
      fineReason: 'userunknown',
      smtpCode: '550',
      enhancedStatus: '5.1.1',
      diagnostic: '550 5.1.1 user unknown',
      providerMessageId: '000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000',
      campaign: 'c-42',
      occurredAt: Date.parse('2024-05-25T14:59:38.605Z'),
      details: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        messageIdHeader: '<custom-id@example.com>',
        snsMessageId: MESSAGE_ID,
      },
    });
  });
});

describe('SES samples: event publishing (spec A §3.15)', () => {
  it('maps the Complaint event to a spam complaint with its feedback type', async () => {
    const events = eventsOf(await deliver(fixture('sample-complaint-event.json')));
    expect(events.map(pick)).toEqual([
      {
        type: 'complaint',
        address: 'recipient@example.com',
        reason: 'spam_complaint',
        severity: null,
        scope: '*',
        dedupKey: dedupHash(
          'ses',
          MESSAGE_ID,
          '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
          'complaint',
          '*',
          'recipient@example.com',
        ),
      },
    ]);
    expect(events[0]).toMatchObject({
      occurredAt: Date.parse('2017-08-05T00:41:02.669Z'),
      details: { complaintFeedbackType: 'abuse', configurationSet: 'ConfigSet' },
    });
  });

  it('maps the DeliveryDelay event to an informational deferral', async () => {
    const events = eventsOf(await deliver(fixture('sample-delivery-delay-event.json')));
    expect(events.map(pick)).toEqual([
      {
        type: 'deferred',
        address: 'recipient@example.com',
        reason: null,
        severity: null,
        scope: '*',
        dedupKey: dedupHash('ses', MESSAGE_ID, null, 'deferred', '*', 'recipient@example.com'),
      },
    ]);
    expect(events[0]).toMatchObject({
      enhancedStatus: '4.4.1',
      smtpCode: '421',
      diagnostic: '421 4.4.1 Unable to connect to remote host',
      details: {
        delayType: 'TransientCommunicationFailure',
        expirationTime: '2020-06-16T00:25:40.914Z',
      },
    });
  });

  it('maps the Subscription event (unsubscribe all) to a global unsubscribe of the single destination', async () => {
    const events = eventsOf(await deliver(fixture('sample-subscription-event.json')));
    expect(events.map(pick)).toEqual([
      {
        type: 'unsubscribe',
        address: 'recipient@example.com',
        reason: 'unsubscribe',
        severity: null,
        scope: '*',
        dedupKey: dedupHash('ses', MESSAGE_ID, null, 'unsubscribe', '*', 'recipient@example.com'),
      },
    ]);
    expect(events[0]).toMatchObject({
      occurredAt: Date.parse('2022-01-12T01:00:17.910Z'),
      details: { contactList: 'ContactListName', source: 'UnsubscribeHeader' },
    });
  });
});

describe('SES handshakes (spec A §3.10)', () => {
  it('turns a verified SubscriptionConfirmation into a confirm-subscription action', () => {
    const msg = snsSubscriptionMessage('SubscriptionConfirmation');
    expect(adapter.parse(snsRequest(signSns(msg)), ctx)).toEqual({
      kind: 'handshake',
      action: {
        type: 'confirm-subscription',
        subscribeUrl: msg.SubscribeURL,
        topicArn: TEST_TOPIC_ARN,
      },
    });
  });

  it('only logs an UnsubscribeConfirmation and never asks to visit its URL', () => {
    expect(
      adapter.parse(snsRequest(signSns(snsSubscriptionMessage('UnsubscribeConfirmation'))), ctx),
    ).toEqual({
      kind: 'handshake',
      action: {
        type: 'log',
        message: `SNS subscription to ${TEST_TOPIC_ARN} was deactivated`,
        topicArn: TEST_TOPIC_ARN,
      },
    });
  });

  it('does not confirm a SubscribeURL that is not the ConfirmSubscription call of the topic', () => {
    const msg = snsSubscriptionMessage('SubscriptionConfirmation');
    for (const SubscribeURL of [
      msg.SubscribeURL!.replace('sns.us-east-1.amazonaws.com', 'evil.example'),
      msg.SubscribeURL!.replace('ses-bounces', 'other'),
    ]) {
      expect(adapter.parse(snsRequest(signSns({ ...msg, SubscribeURL })), ctx)).toMatchObject({
        kind: 'ignored',
      });
    }
  });

  it('never confirms a foreign topic, even when asked to parse it directly', () => {
    const msg = snsSubscriptionMessage(
      'SubscriptionConfirmation',
      'arn:aws:sns:us-east-1:123456789012:someone-else',
    );
    expect(adapter.parse(snsRequest(signSns(msg)), ctx)).toEqual({
      kind: 'ignored',
      reason: 'TopicArn is not an allowed topic',
    });
  });
});
