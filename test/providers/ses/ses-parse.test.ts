import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/core/errors.js';
import { createSesAdapter } from '../../../src/providers/ses/ses.adapter.js';
import type { AdapterResult } from '../../../src/providers/types.js';
import { createStaticSnsCertificateSource } from '../../../src/services/ingest/sns-certificates.js';
import {
  TEST_CERT_PEM,
  TEST_TOPIC_ARN,
  signSns,
  snsNotification,
  snsRequest,
} from '../../helpers/sns-signer.js';

const adapter = createSesAdapter({
  topicArns: [TEST_TOPIC_ARN],
  certificates: createStaticSnsCertificateSource([TEST_CERT_PEM]),
});
const ctx = { defaultPhoneRegion: 'US' };
const mail = {
  timestamp: '2024-01-01T00:00:00.000Z',
  messageId: 'ses-1',
  source: 's@example.com',
  destination: ['a@example.com', 'b@example.com'],
};

function parse(message: unknown): AdapterResult {
  return adapter.parse(snsRequest(signSns(snsNotification(message))), ctx);
}
function outcomes(message: unknown) {
  const result = parse(message);
  if (result.kind !== 'events') throw new Error(`expected events, got ${result.kind}`);
  return result.events.map((e) => ({
    type: e.type,
    address: e.address,
    reason: e.reason,
    severity: e.severity,
    fineReason: e.fineReason,
    scope: e.scope,
  }));
}
function bounceOf(
  bounceType: string,
  bounceSubType: string,
  recipient: Record<string, unknown> = {},
) {
  return {
    notificationType: 'Bounce',
    mail,
    bounce: {
      bounceType,
      bounceSubType,
      feedbackId: 'fb',
      timestamp: '2024-01-01T00:00:01.000Z',
      bouncedRecipients: [{ emailAddress: 'a@example.com', ...recipient }],
    },
  };
}

describe('SES bounces (spec A §3.11)', () => {
  it.each([
    ['Permanent', 'General', 'hard_bounce', 'hard'],
    ['Permanent', 'NoEmail', 'hard_bounce', 'hard'],
    ['Permanent', 'Suppressed', 'hard_bounce', 'hard'],
    ['Permanent', 'OnAccountSuppressionList', 'hard_bounce', 'hard'],
    ['Transient', 'General', 'soft_bounce', 'soft'],
    ['Transient', 'MailboxFull', 'soft_bounce', 'soft'],
    ['Transient', 'MessageTooLarge', null, 'soft'],
    ['Transient', 'ContentRejected', null, 'soft'],
    ['Transient', 'AttachmentRejected', null, 'soft'],
    ['Transient', 'CustomTimeoutExceeded', 'soft_bounce', 'soft'],
    ['Undetermined', 'Undetermined', 'soft_bounce', 'soft'],
  ])('maps %s/%s without a diagnostic to %s (%s)', (type, subType, reason, severity) => {
    expect(outcomes(bounceOf(type, subType))).toMatchObject([
      { type: 'bounce', address: 'a@example.com', reason, severity },
    ]);
  });

  it('treats addresses SES itself suppressed as hard whatever the diagnostic says', () => {
    const diagnosticCode =
      'Amazon SES did not send the message to this address because it is on the suppression list for your account.';
    expect(
      outcomes(bounceOf('Permanent', 'OnAccountSuppressionList', { diagnosticCode })),
    ).toMatchObject([{ reason: 'hard_bounce', severity: 'hard', fineReason: 'suppressed' }]);
  });

  it('classifies diagnostic codes with the shared classifier, SES verdict as the hint', () => {
    expect(
      outcomes(
        bounceOf('Transient', 'General', {
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        }),
      ),
    ).toMatchObject([{ reason: 'hard_bounce', fineReason: 'userunknown' }]);
    expect(
      outcomes(
        bounceOf('Permanent', 'General', {
          diagnosticCode: 'smtp; 554 5.7.1 Service unavailable; Client host blocked using Spamhaus',
        }),
      ),
    ).toMatchObject([{ reason: null, fineReason: 'blocked' }]);
    expect(
      outcomes(
        bounceOf('Transient', 'MailboxFull', {
          status: '4.2.2',
          diagnosticCode: 'smtp; 452 4.2.2 mailbox full',
        }),
      ),
    ).toMatchObject([{ reason: 'soft_bounce', fineReason: 'mailboxfull' }]);
  });

  it('leaves absent SES fields out of the details', () => {
    const result = parse(bounceOf('Permanent', 'General'));
    const details = result.kind === 'events' ? result.events[0]!.details : {};
    expect(details).toEqual({
      snsMessageId: expect.any(String),
      bounceType: 'Permanent',
      bounceSubType: 'General',
      feedbackId: 'fb',
    });
  });

  it('keeps the other recipients when one bounced address is invalid', () => {
    const message = bounceOf('Permanent', 'General');
    message.bounce.bouncedRecipients.unshift({ emailAddress: 'not an address' });
    const result = parse(message);
    expect(result).toMatchObject({ kind: 'events', errors: [{ index: 0 }] });
    expect(result.kind === 'events' && result.events.map((e) => e.address)).toEqual([
      'a@example.com',
    ]);
  });

  it('throws ParseError for a bounce without its recipient list or without mail', () => {
    expect(() =>
      parse({ notificationType: 'Bounce', mail, bounce: { bounceType: 'Permanent' } }),
    ).toThrow(ParseError);
    expect(() =>
      parse({ notificationType: 'Bounce', bounce: bounceOf('Permanent', 'General').bounce }),
    ).toThrow(ParseError);
  });
});

describe('SES complaints, deliveries, rejects and sends (spec A §3.11, §3.12)', () => {
  const complaint = (complaintFeedbackType?: string) => ({
    notificationType: 'Complaint',
    mail,
    complaint: {
      feedbackId: 'fb',
      complaintFeedbackType,
      complainedRecipients: [{ emailAddress: 'b@example.com' }],
    },
  });

  it('suppresses complained recipients only, and not on not-spam feedback', () => {
    expect(outcomes(complaint('abuse'))).toMatchObject([
      { type: 'complaint', address: 'b@example.com', reason: 'spam_complaint' },
    ]);
    expect(outcomes(complaint())).toMatchObject([{ type: 'complaint', reason: 'spam_complaint' }]);
    expect(outcomes(complaint('not-spam'))).toMatchObject([{ type: 'complaint', reason: null }]);
  });

  it('maps a Delivery to one delivered event per delivered recipient', () => {
    const delivery = {
      notificationType: 'Delivery',
      mail,
      delivery: {
        timestamp: '2024-01-01T00:00:02.000Z',
        recipients: ['a@example.com'],
        smtpResponse: '250 ok',
      },
    };
    expect(outcomes(delivery)).toMatchObject([
      { type: 'delivered', address: 'a@example.com', reason: null },
    ]);
  });

  it('maps a Reject to dropped events without suppression and a Send to processed', () => {
    expect(outcomes({ eventType: 'Reject', mail, reject: { reason: 'Bad content' } })).toEqual([
      expect.objectContaining({ type: 'dropped', address: 'a@example.com', reason: null }),
      expect.objectContaining({ type: 'dropped', address: 'b@example.com', reason: null }),
    ]);
    expect(outcomes({ eventType: 'Send', mail, send: {} }).map((e) => e.type)).toEqual([
      'processed',
      'processed',
    ]);
  });

  it('maps a Rendering Failure to a dropped event per recipient, naming the template, without suppression', () => {
    const result = parse({
      eventType: 'Rendering Failure',
      mail,
      failure: {
        templateName: 'welcome',
        errorMessage: "Attribute 'name' is not present in the rendering data.",
      },
    });
    expect(result).toMatchObject({ kind: 'events', errors: [] });
    if (result.kind !== 'events') return;
    expect(
      result.events.map((e) => [e.type, e.address, e.reason, e.diagnostic, e.details.templateName]),
    ).toEqual([
      [
        'dropped',
        'a@example.com',
        null,
        "Attribute 'name' is not present in the rendering data.",
        'welcome',
      ],
      [
        'dropped',
        'b@example.com',
        null,
        "Attribute 'name' is not present in the rendering data.",
        'welcome',
      ],
    ]);
    expect(new Set(result.events.map((e) => e.dedupKey)).size).toBe(2);
  });

  it('maps opens and clicks only when the message had a single recipient', () => {
    const single = { ...mail, destination: ['a@example.com'] };
    expect(
      outcomes({ eventType: 'Click', mail: single, click: { link: 'https://x.test/' } }),
    ).toMatchObject([{ type: 'click', address: 'a@example.com' }]);
    expect(parse({ eventType: 'Open', mail, open: {} })).toMatchObject({
      kind: 'events',
      events: [],
      errors: [{ index: 0 }],
    });
  });

  it('takes the campaign from campaign-ish message tags', () => {
    const result = parse({
      eventType: 'Send',
      mail: {
        ...mail,
        destination: ['a@example.com'],
        tags: { 'ses:configuration-set': ['cs'], campaign_id: ['spring-sale'] },
      },
      send: {},
    });
    expect(result.kind === 'events' && result.events[0]).toMatchObject({
      campaign: 'spring-sale',
      details: { configurationSet: 'cs' },
    });
  });
});

describe('SES list-management subscriptions (spec A §3.12, §3.13)', () => {
  const single = { ...mail, destination: ['a@example.com'] };
  const subscription = (newTopicPreferences: object, oldTopicPreferences: object) => ({
    eventType: 'Subscription',
    mail: single,
    subscription: { contactList: 'List', newTopicPreferences, oldTopicPreferences },
  });

  it('scopes a per-topic opt-out to the topic and an opt-in after an opt-out to a topic resubscribe', () => {
    const next = {
      unsubscribeAll: false,
      topicSubscriptionStatus: [
        { topicName: 'news', subscriptionStatus: 'OptOut' },
        { topicName: 'deals', subscriptionStatus: 'OptIn' },
      ],
    };
    const prev = {
      unsubscribeAll: false,
      topicSubscriptionStatus: [
        { topicName: 'news', subscriptionStatus: 'OptIn' },
        { topicName: 'deals', subscriptionStatus: 'OptOut' },
      ],
    };
    expect(outcomes(subscription(next, prev))).toMatchObject([
      { type: 'unsubscribe', reason: 'unsubscribe', scope: 'news' },
      { type: 'resubscribe', reason: null, scope: 'deals' },
    ]);
  });

  it('turns leaving unsubscribe-all into a global resubscribe', () => {
    expect(
      outcomes(subscription({ unsubscribeAll: false }, { unsubscribeAll: true })),
    ).toMatchObject([{ type: 'resubscribe', scope: '*' }]);
  });

  it('suppresses nobody when the message had several recipients', () => {
    const result = parse({ ...subscription({ unsubscribeAll: true }, {}), mail });
    expect(result).toMatchObject({ kind: 'events', events: [], errors: [{ index: 0 }] });
  });
});

describe('SES notices and unknown types', () => {
  it.each([
    [
      'the subscription-succeeded notice',
      {
        notificationType: 'AmazonSnsSubscriptionSucceeded',
        message: 'You have successfully subscribed…',
      },
    ],
    [
      'the plain-text topic validation notice',
      'Successfully validated SNS topic for Amazon SES event publishing.',
    ],
    ['an unknown event type', { eventType: 'SomethingNew', mail }],
    ['an Object.prototype name as event type', { eventType: 'constructor', mail }],
    ['JSON that is not an SES event', { hello: 'world' }],
  ])('ignores %s', (_what, message) => {
    expect(parse(message)).toMatchObject({ kind: 'ignored' });
  });

  it('throws ParseError for a body that is not an SNS message', () => {
    expect(() => adapter.parse(snsRequest('not json'), ctx)).toThrow(ParseError);
    expect(() => adapter.parse(snsRequest(''), ctx)).toThrow(ParseError);
  });
});
