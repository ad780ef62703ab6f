import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandshakeHandler } from '../../../src/services/ingest/handshakes.js';
import {
  createFetchingSnsCertificateSource,
  createStaticSnsCertificateSource,
  type FetchLike,
} from '../../../src/services/ingest/sns-certificates.js';
import { createSnsHandshakeHandler } from '../../../src/services/ingest/sns-handshake.js';
import type { SnsCertificateSource } from '../../../src/providers/ses/sns-signature.js';
import { buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects, type TestDialect } from '../../helpers/dialects.js';
import {
  deadDeliveryIds,
  deliveryOf,
  eventsFor,
  expectUnauthorized,
  suppressionOf,
  suppressionRows,
} from '../../helpers/provider-http.js';
import {
  AWS_CERT_PEM,
  AWS_MESSAGES,
  AWS_SIGNED,
  AWS_RECEIVED_AT,
  AWS_TOPIC_ARN,
  signSns,
  snsNotification,
  snsRequest,
  snsSubscriptionMessage,
  TEST_CERT_PEM,
  TEST_RECEIVED_AT,
  TEST_TOPIC_ARN,
} from '../../helpers/sns-signer.js';

const sample = (name: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/providers/ses/${name}`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
const FOREIGN_TOPIC_ARN = 'arn:aws:sns:us-east-1:999999999999:someone-else';
const AT = new Date(TEST_RECEIVED_AT - 60_000).toISOString();

/** A fake `fetch` for SubscribeURLs that answers like SNS and remembers what it was asked. */
function recordingFetch(): { fetch: FetchLike; urls: string[] } {
  const urls: string[] = [];
  const fetch: FetchLike = async (url) => {
    urls.push(url);
    return new Response(
      '<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:x:1:t:abc</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>',
      { status: 200 },
    );
  };
  return { fetch, urls };
}

async function sesApp(
  dialect: TestDialect,
  opts: { topics: string; clock: FixedClock; certificates: SnsCertificateSource; fetch: FetchLike },
): Promise<TestApp> {
  const logger = pino({ level: 'silent' });
  return buildTestApp(dialect, {
    clock: opts.clock,
    env: { BOUNCER_SES_TOPIC_ARNS: opts.topics },
    services: {
      snsCertificates: opts.certificates,
      handshake: createHandshakeHandler(logger, {
        ses: createSnsHandshakeHandler({ logger, fetch: opts.fetch }),
      }),
    },
  });
}

/** Posts a message exactly as SNS does: `text/plain` JSON with the `x-amz-sns-*` headers. */
function postSns(t: TestApp, message: object) {
  const req = snsRequest(message);
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return t.app.inject({ method: 'POST', url: '/webhooks/ses', payload: req.rawBody, headers });
}

describe.skipIf(!AWS_SIGNED).each(testDialects())(
  'POST /webhooks/ses with the five real AWS-signed messages on %s',
  (dialect) => {
    const clock = new FixedClock(AWS_RECEIVED_AT);
    const confirm = recordingFetch();
    let t: TestApp;
    beforeAll(async () => {
      t = await sesApp(dialect, {
        topics: AWS_TOPIC_ARN,
        clock,
        certificates: createStaticSnsCertificateSource([AWS_CERT_PEM]),
        fetch: confirm.fetch,
      });
    });
    afterAll(async () => t.close());
    const byType = (type: string) => AWS_MESSAGES.filter((m) => m.Type === type);

    it('verifies the three notifications and stores them (plain-text messages are ignored, not errors)', async () => {
      for (const msg of byType('Notification')) {
        const res = await postSns(t, msg);
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({
          status: 'ignored',
          reason: 'SNS notification is not JSON (SES setup notice)',
        });
        expect((await deliveryOf(t, res.json().delivery_id as string)).status).toBe('ignored');
      }
      expect(byType('Notification')).toHaveLength(3);
    });

    it('confirms the subscription of the accepted topic by visiting its SubscribeURL once', async () => {
      const [msg] = byType('SubscriptionConfirmation');
      const res = await postSns(t, msg!);
      expect(res.statusCode).toBe(200);
      expect(confirm.urls).toEqual([msg!.SubscribeURL]);
      const delivery = await deliveryOf(t, res.json().delivery_id as string);
      expect(delivery).toMatchObject({
        status: 'done',
        outcome: expect.stringContaining(
          `confirmed SNS subscription to ${AWS_TOPIC_ARN}`,
        ) as unknown,
      });
    });

    it('only logs the UnsubscribeConfirmation and never visits its URL', async () => {
      const before = confirm.urls.length;
      const res = await postSns(t, byType('UnsubscribeConfirmation')[0]!);
      expect(res.statusCode).toBe(200);
      expect(confirm.urls).toHaveLength(before);
    });

    it('refuses a real message with one changed byte, and all of them after the certificate expired', async () => {
      const [msg] = byType('Notification');
      expectUnauthorized(await postSns(t, { ...msg, Message: `${msg!.Message} ` }));
      clock.set(Date.parse('2026-10-15T00:00:00Z'));
      try {
        for (const m of AWS_MESSAGES) expectUnauthorized(await postSns(t, m));
      } finally {
        clock.set(AWS_RECEIVED_AT);
      }
    });
  },
);

describe.each(testDialects())(
  'POST /webhooks/ses with SES notifications signed by a test certificate on %s',
  (dialect) => {
    const clock = new FixedClock(TEST_RECEIVED_AT);
    const confirm = recordingFetch();
    let t: TestApp;
    let n = 0;
    beforeAll(async () => {
      t = await sesApp(dialect, {
        topics: TEST_TOPIC_ARN,
        clock,
        certificates: createStaticSnsCertificateSource([TEST_CERT_PEM]),
        fetch: confirm.fetch,
      });
    });
    afterAll(async () => t.close());
    /** Signs one SES JSON message in a fresh SNS envelope (its own MessageId, as SNS does). */
    const notify = (message: unknown) =>
      postSns(
        t,
        signSns(
          snsNotification(message, {
            MessageId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
          }),
        ),
      );
    const mail = (destination: string[]) => ({
      timestamp: AT,
      source: 'sender@example.com',
      messageId: `ses-msg-${n}`,
      destination,
    });

    it('never confirms a SubscriptionConfirmation of a foreign topic, even when correctly signed', async () => {
      expectUnauthorized(
        await postSns(
          t,
          signSns(snsSubscriptionMessage('SubscriptionConfirmation', FOREIGN_TOPIC_ARN)),
        ),
      );
      // A genuine AWS confirmation (from ../shared when present), but for a topic this instance
      // does not accept.
      const genuine = AWS_MESSAGES.find((m) => m.Type === 'SubscriptionConfirmation');
      if (genuine) expectUnauthorized(await postSns(t, genuine));
      expect(confirm.urls).toEqual([]);
      const ok = await postSns(t, signSns(snsSubscriptionMessage('SubscriptionConfirmation')));
      expect(ok.statusCode).toBe(200);
      expect(confirm.urls).toHaveLength(1);
    });

    it('suppresses exactly the bounced recipients of the sample bounce, never the rest of mail.destination', async () => {
      const res = await postSns(
        t,
        signSns(snsNotification(sample('sample-bounce-notification.json').Message)),
      );
      expect(res.json()).toMatchObject({ status: 'accepted', events: 1 });
      await t.drain();
      expect(await suppressionOf(t, 'recipient1@example.com')).toMatchObject({
        suppressed: true,
        entries: [{ scope: '*', reason: 'hard_bounce', source: 'ses', until: null }],
      });
      expect(await suppressionRows(t, 'recipient2@example.com')).toEqual([]);
      expect(await eventsFor(t, 'recipient2@example.com')).toEqual([]);
    });

    it('maps both message shapes: notificationType and eventType bounces and complaints', async () => {
      const bounce = {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        timestamp: AT,
        feedbackId: 'fb-1',
        bouncedRecipients: [
          {
            emailAddress: 'shape-a@example.com',
            status: '5.1.1',
            diagnosticCode: 'smtp; 550 5.1.1 user unknown',
          },
        ],
      };
      await notify({
        notificationType: 'Bounce',
        bounce,
        mail: mail(['shape-a@example.com', 'bystander@example.com']),
      });
      await notify({
        eventType: 'Bounce',
        bounce: {
          ...bounce,
          feedbackId: 'fb-2',
          bouncedRecipients: [
            { ...bounce.bouncedRecipients[0], emailAddress: 'shape-b@example.com' },
          ],
        },
        mail: mail(['shape-b@example.com']),
      });
      const complaint = {
        complaintFeedbackType: 'abuse',
        timestamp: AT,
        feedbackId: 'fb-3',
        complainedRecipients: [{ emailAddress: 'shape-c@example.com' }],
      };
      await notify({
        notificationType: 'Complaint',
        complaint,
        mail: mail(['shape-c@example.com', 'bystander@example.com']),
      });
      await notify(JSON.parse(JSON.stringify(sample('sample-complaint-event.json'))) as unknown);
      await t.drain();
      for (const a of ['shape-a@example.com', 'shape-b@example.com'])
        expect((await suppressionOf(t, a)).entries).toMatchObject([
          { reason: 'hard_bounce', source: 'ses' },
        ]);
      for (const a of ['shape-c@example.com', 'recipient@example.com'])
        expect((await suppressionOf(t, a)).entries).toMatchObject([
          { reason: 'spam_complaint', source: 'ses' },
        ]);
      expect(await eventsFor(t, 'bystander@example.com')).toEqual([]);
      expect((await eventsFor(t, 'shape-a@example.com'))[0]).toMatchObject({
        type: 'bounce',
        severity: 'hard',
        fine_reason: 'userunknown',
      });
    });

    it('counts a transient bounce as a soft cool-down and a later delivery resets it', async () => {
      const soft = {
        bounceType: 'Transient',
        bounceSubType: 'MailboxFull',
        timestamp: AT,
        feedbackId: 'fb-soft',
        bouncedRecipients: [
          {
            emailAddress: 'full@example.com',
            status: '4.2.2',
            diagnosticCode: 'smtp; 452 4.2.2 mailbox full',
          },
        ],
      };
      await notify({ eventType: 'Bounce', bounce: soft, mail: mail(['full@example.com']) });
      await t.drain();
      expect((await suppressionRows(t, 'full@example.com'))[0]).toMatchObject({
        reason: 'soft_bounce',
        soft_count: 1,
      });
      expect(await suppressionOf(t, 'full@example.com')).toMatchObject({ suppressed: true });
      const delivered = new Date(TEST_RECEIVED_AT - 1_000).toISOString();
      await notify({
        notificationType: 'Delivery',
        delivery: {
          timestamp: delivered,
          recipients: ['full@example.com'],
          smtpResponse: '250 2.0.0 OK',
        },
        mail: mail(['full@example.com']),
      });
      await t.drain();
      expect((await suppressionRows(t, 'full@example.com'))[0]).toMatchObject({ soft_count: 0 });
      expect(await suppressionOf(t, 'full@example.com')).toMatchObject({ suppressed: false });
      expect((await eventsFor(t, 'full@example.com')).map((e) => e.type)).toEqual([
        'bounce',
        'delivered',
      ]);
    });

    it('records DeliveryDelay, Reject and Rendering Failure without suppressing anyone', async () => {
      await notify(sample('sample-delivery-delay-event.json'));
      await notify({
        eventType: 'Reject',
        reject: { reason: 'Bad content' },
        mail: mail(['rejected@example.com']),
      });
      await notify({
        eventType: 'Rendering Failure',
        failure: { templateName: 'welcome', errorMessage: 'Attribute name is missing' },
        mail: mail(['unrendered@example.com']),
      });
      await t.drain();
      expect(await eventsFor(t, 'unrendered@example.com')).toMatchObject([
        {
          type: 'dropped',
          reason: null,
          details: { renderingFailure: true, templateName: 'welcome' },
        },
      ]);
      expect(await suppressionRows(t, 'unrendered@example.com')).toEqual([]);
      expect((await eventsFor(t, 'recipient@example.com')).map((e) => e.type)).toContain(
        'deferred',
      );
      expect(await eventsFor(t, 'rejected@example.com')).toMatchObject([
        { type: 'dropped', reason: null },
      ]);
      expect(await suppressionRows(t, 'rejected@example.com')).toEqual([]);
    });

    it('turns Subscription events into a global unsubscribe and lifts it when the contact opts back in', async () => {
      const sub = sample('sample-subscription-event.json') as {
        mail: Record<string, unknown>;
        subscription: Record<string, unknown>;
      };
      const who = { ...sub, mail: { ...sub.mail, destination: ['listed@example.com'] } };
      await notify(who);
      await t.drain();
      expect((await suppressionOf(t, 'listed@example.com')).entries).toMatchObject([
        { scope: '*', reason: 'unsubscribe' },
      ]);
      const optIn = {
        contactList: 'ContactListName',
        timestamp: AT,
        source: 'ManageSubscriptions',
        newTopicPreferences: { unsubscribeAll: false },
        oldTopicPreferences: { unsubscribeAll: true },
      };
      await notify({
        eventType: 'Subscription',
        subscription: optIn,
        mail: mail(['listed@example.com']),
      });
      await t.drain();
      expect(await suppressionRows(t, 'listed@example.com')).toEqual([]);
    });

    it('stores an authentic message with malformed SES JSON as a dead delivery and answers 2xx', async () => {
      const res = await notify({
        notificationType: 'Bounce',
        bounce: { bounceType: 'Permanent' },
        mail: mail(['x@example.com']),
      });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toMatchObject({
        status: 'stored_unparseable',
        error: 'SES bounce has no bouncedRecipients list',
      });
      expect(await deadDeliveryIds(t)).toContain(res.json().delivery_id);
    });

    it('refuses raw message delivery (no SNS envelope, no signature) with the uniform 401', async () => {
      const raw = sample('sample-complaint-event.json');
      expectUnauthorized(
        await t.app.inject({
          method: 'POST',
          url: '/webhooks/ses',
          payload: JSON.stringify(raw),
          headers: { 'content-type': 'text/plain' },
        }),
      );
    });
  },
);

describe.each(testDialects())('SES webhook when AWS cannot be reached on %s', (dialect) => {
  const clock = new FixedClock(TEST_RECEIVED_AT);
  const unreachable: FetchLike = async () => {
    throw new TypeError('fetch failed');
  };

  it('answers 503 (SNS retries), never 4xx, when the signing certificate cannot be fetched', async () => {
    const t = await sesApp(dialect, {
      topics: TEST_TOPIC_ARN,
      clock,
      certificates: createFetchingSnsCertificateSource({ fetch: unreachable }),
      fetch: unreachable,
    });
    try {
      const res = await postSns(t, signSns(snsNotification({ notificationType: 'Bounce' })));
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('BOUNCER_ERR_UNAVAILABLE');
      const stored = await t.tdb.db.kysely.selectFrom('deliveries').select('id').execute();
      expect(stored).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('answers 503 when the subscription confirmation cannot reach SNS', async () => {
    const t = await sesApp(dialect, {
      topics: TEST_TOPIC_ARN,
      clock,
      certificates: createStaticSnsCertificateSource([TEST_CERT_PEM]),
      fetch: unreachable,
    });
    try {
      const res = await postSns(t, signSns(snsSubscriptionMessage('SubscriptionConfirmation')));
      expect(res.statusCode).toBe(503);
    } finally {
      await t.close();
    }
  });

  it('refuses every message with the uniform 401 when no topic is configured', async () => {
    const t = await buildTestApp(dialect, {
      clock,
      services: { snsCertificates: createStaticSnsCertificateSource([TEST_CERT_PEM]) },
    });
    try {
      expectUnauthorized(
        await postSns(t, signSns(snsNotification({ notificationType: 'Bounce' }))),
      );
    } finally {
      await t.close();
    }
  });
});
