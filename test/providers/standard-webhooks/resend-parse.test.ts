import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createStandardWebhooksAdapter } from '../../../src/providers/standard-webhooks/standard-webhooks.adapter.js';
import type { StandardFormat } from '../../../src/providers/standard-webhooks/standard-webhooks.config.js';
import type { WebhookRequest } from '../../../src/providers/types.js';

const SAMPLE = JSON.parse(
  readFileSync(
    new URL('../../fixtures/providers/resend/email-bounced.json', import.meta.url),
    'utf8',
  ),
) as { type: string; created_at: string; data: Record<string, unknown> };
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ctx = { defaultPhoneRegion: 'US' };

function parse(body: unknown, format: StandardFormat = 'resend', id = 'msg_1') {
  const req: WebhookRequest = {
    rawBody: Buffer.from(JSON.stringify(body)),
    headers: { 'svix-id': id },
    url: '/webhooks/resend',
    params: {},
    receivedAt: Date.UTC(2025, 0, 1),
  };
  return createStandardWebhooksAdapter({
    name: 'x',
    format,
    secrets: [SECRET],
    toleranceSeconds: 300,
  }).parse(req, ctx);
}
function events(body: unknown, format: StandardFormat = 'resend') {
  const r = parse(body, format);
  if (r.kind !== 'events') throw new Error(JSON.stringify(r));
  return r.events;
}
const email = (type: string, data: Record<string, unknown> = {}) => ({
  type,
  created_at: '2024-11-22T23:41:12.126Z',
  data: { ...SAMPLE.data, bounce: undefined, ...data },
});

describe('Resend events (spec §4.4)', () => {
  it('reads the §4.4 sample (Permanent/Suppressed) as a re-asserted hard bounce, keyed on svix-id', () => {
    const [e] = events(SAMPLE);
    expect(e).toMatchObject({
      type: 'bounce',
      address: 'delivered@resend.dev',
      reason: 'hard_bounce',
      fineReason: 'suppressed',
      providerMessageId: '56761188-7520-42d8-8898-ff6fc54ce618',
      campaign: '8b146471-e88e-4322-86af-016cd36fd216',
      occurredAt: Date.parse('2024-11-22T23:41:12.126Z'),
      details: {
        bounceType: 'Permanent',
        bounceSubType: 'Suppressed',
        tags: { category: 'confirm_email' },
      },
    });
    const again = parse(SAMPLE, 'resend', 'msg_1');
    const other = parse(SAMPLE, 'resend', 'msg_2');
    expect(again.kind === 'events' && again.events[0]!.dedupKey).toBe(e!.dedupKey);
    expect(other.kind === 'events' && other.events[0]!.dedupKey).not.toBe(e!.dedupKey);
  });

  it('classifies Permanent General as hard and Transient as soft, from the diagnostic', () => {
    expect(
      events(
        email('email.bounced', {
          bounce: {
            type: 'Permanent',
            subType: 'General',
            message: 'x',
            diagnosticCode: ['smtp; 550 5.1.1 user unknown'],
          },
        }),
      ),
    ).toMatchObject([
      { reason: 'hard_bounce', fineReason: 'userunknown', enhancedStatus: '5.1.1' },
    ]);
    expect(
      events(
        email('email.bounced', {
          bounce: { type: 'Transient', subType: 'MailboxFull', message: '452 4.2.2 mailbox full' },
        }),
      ),
    ).toMatchObject([{ reason: 'soft_bounce', severity: 'soft' }]);
  });

  it("reads the type of an older bounce that carries only Resend's sentence", () => {
    const only = (message: string) => events(email('email.bounced', { bounce: { message } }));
    expect(
      only(
        "The recipient's email provider sent a hard bounce message, but didn't specify the reason for the hard bounce.",
      ),
    ).toMatchObject([
      { reason: 'hard_bounce', details: { bounceType: 'Permanent', bounceSubType: 'General' } },
    ]);
    expect(
      only(
        'Resend has suppressed sending to this address because it is on the account-level suppression list.',
      ),
    ).toMatchObject([{ reason: 'hard_bounce', fineReason: 'suppressed' }]);
    expect(
      only(
        "The recipient's email provider sent a bounce message because the recipient's inbox was full.",
      ),
    ).toMatchObject([{ reason: 'soft_bounce' }]);
  });

  it('maps complained, delivered, delivery_delayed, suppressed, failed, opened, clicked and sent; one event per recipient', () => {
    const types = (type: string, data: Record<string, unknown> = {}) =>
      events(email(type, data)).map((e) => [e.type, e.reason]);
    expect(types('email.complained')).toEqual([['complaint', 'spam_complaint']]);
    expect(types('email.delivered')).toEqual([['delivered', null]]);
    expect(types('email.delivery_delayed')).toEqual([['deferred', null]]);
    expect(
      types('email.suppressed', {
        suppressed: { type: 'OnAccountSuppressionList', message: 'suppressed' },
      }),
    ).toEqual([['dropped', 'hard_bounce']]);
    expect(types('email.failed', { failed: { reason: 'reached_daily_quota' } })).toEqual([
      ['dropped', null],
    ]);
    expect(types('email.opened')).toEqual([['open', null]]);
    expect(
      events(email('email.clicked', { click: { link: 'https://example.com' } }))[0]!.details,
    ).toMatchObject({ url: 'https://example.com' });
    expect(types('email.sent', { to: ['A <a@example.com>', 'b@example.com'] })).toEqual([
      ['processed', null],
      ['processed', null],
    ]);
  });

  it('keeps the good recipients when one is invalid', () => {
    const r = parse(email('email.delivered', { to: ['ok@example.com', 'not an address'] }));
    expect(r).toMatchObject({
      kind: 'events',
      events: [{ address: 'ok@example.com' }],
      errors: [{ index: 1 }],
    });
  });

  it('maps contact unsubscribes (scoped to the audience) and suppression.added/removed', () => {
    expect(
      events({
        type: 'contact.updated',
        created_at: '2025-01-01T00:00:00Z',
        data: { email: 'c@example.com', unsubscribed: true, audience_id: 'aud_1' },
      }),
    ).toMatchObject([{ type: 'unsubscribe', scope: 'resend-audience:aud_1' }]);
    expect(
      parse({ type: 'contact.updated', data: { email: 'c@example.com', unsubscribed: false } }),
    ).toMatchObject({ kind: 'ignored' });
    expect(
      events({ type: 'suppression.added', data: { email: 's@example.com', origin: 'complaint' } }),
    ).toMatchObject([{ type: 'complaint', reason: 'spam_complaint' }]);
    expect(
      events({ type: 'suppression.added', data: { email: 's@example.com', origin: 'bounce' } }),
    ).toMatchObject([{ type: 'bounce', reason: 'hard_bounce' }]);
    expect(
      events({ type: 'suppression.removed', data: { email: 's@example.com', origin: 'bounce' } }),
    ).toMatchObject([{ type: 'reactivated' }]);
  });

  it('ignores unknown and unused types with their name', () => {
    expect(parse({ type: 'domain.updated', data: {} })).toEqual({
      kind: 'ignored',
      reason: 'unused Resend event type domain.updated',
    });
    expect(parse({ type: 'email.received', data: { to: ['x@example.com'] } })).toMatchObject({
      kind: 'ignored',
    });
  });
});

describe('Loops events (spec §9.2) and the generic format', () => {
  const loops = (eventName: string, extra: Record<string, unknown> = {}) => ({
    eventName,
    webhookSchemaVersion: '1.0.0',
    eventTime: 1_735_689_600,
    sourceType: 'campaign',
    campaignId: 'cmp_1',
    contactIdentity: { id: 'c1', email: 'L@Example.com', userId: null },
    ...extra,
  });
  it('maps bounces, complaints, unsubscribes and deliveries; ignores the test event', () => {
    const t = (name: string, extra?: Record<string, unknown>) =>
      events(loops(name, extra), 'loops').map((e) => [e.type, e.reason, e.scope]);
    expect(t('email.hardBounced')).toEqual([['bounce', 'hard_bounce', '*']]);
    expect(t('email.softBounced')).toEqual([['bounce', 'soft_bounce', '*']]);
    expect(t('email.spamReported')).toEqual([['complaint', 'spam_complaint', '*']]);
    expect(t('contact.unsubscribed')).toEqual([['unsubscribe', 'unsubscribe', '*']]);
    expect(t('contact.mailingList.unsubscribed', { mailingList: { id: 'list_9' } })).toEqual([
      ['unsubscribe', 'unsubscribe', 'loops-list:list_9'],
    ]);
    expect(t('email.delivered')).toEqual([['delivered', null, '*']]);
    expect(events(loops('email.delivered'), 'loops')[0]).toMatchObject({
      address: 'l@example.com',
      occurredAt: 1_735_689_600_000,
      campaign: 'cmp_1',
    });
    expect(parse(loops('testing.testEvent'), 'loops')).toEqual({
      kind: 'ignored',
      reason: 'unused Loops event testing.testEvent',
    });
  });

  it('reads Bouncer\'s generic event format when a sender is configured with format "generic"', () => {
    expect(
      events({ email: 'g@example.com', type: 'hard', source: 'crm' }, 'generic'),
    ).toMatchObject([{ type: 'bounce', address: 'g@example.com', reason: 'hard_bounce' }]);
  });
});
