import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/core/errors.js';
import { createElasticEmailAdapter } from '../../../src/providers/elastic-email/elastic-email.adapter.js';
import { parseElasticEmailConfig } from '../../../src/providers/elastic-email/elastic-email.config.js';
import { Reader } from '../../../src/config.js';
import type { AdapterResult, WebhookRequest } from '../../../src/providers/types.js';

const TOKEN = 'elastic-token-0123456789abcdef';
const ctx = { defaultPhoneRegion: 'US' };
const adapter = createElasticEmailAdapter({ tokens: ['elastic-old-token-0123456789', TOKEN] });
const request = (query: Record<string, string>, token = TOKEN): WebhookRequest => ({
  rawBody: Buffer.alloc(0),
  headers: {},
  url: `/webhooks/elastic-email/${token}?${new URLSearchParams(query).toString()}`,
  params: token === '' ? {} : { token },
  receivedAt: Date.UTC(2026, 0, 1),
});
const eventOf = (r: AdapterResult) => {
  if (r.kind !== 'events') throw new Error(`expected events, got ${r.kind}`);
  return r.events[0];
};
const error = (category: string) => ({
  to: 'Someone@Example.com',
  from: 'news@shop.example',
  date: '2026-01-01T10:00:00Z',
  status: 'Error',
  category,
  messageid: 'm-1',
  transaction: 't-1',
  channel: 'spring-sale',
});

describe('Elastic Email credentials (unsigned GET: the path token)', () => {
  it('accepts any configured token and refuses others or none', () => {
    expect(adapter.verify(request({}))).toEqual({ ok: true });
    expect(adapter.verify(request({}, 'elastic-old-token-0123456789'))).toEqual({ ok: true });
    expect(adapter.verify(request({}, 'elastic-wrong-token-012345678')).ok).toBe(false);
    expect(adapter.verify(request({}, ''))).toEqual({ ok: false, reason: 'missing URL token' });
  });

  it('refuses short tokens at start-up, naming the setting', () => {
    expect(() =>
      parseElasticEmailConfig(new Reader({ BOUNCER_ELASTIC_EMAIL_TOKENS: 'short' })),
    ).toThrow(/BOUNCER_ELASTIC_EMAIL_TOKENS/);
  });
});

describe('Elastic Email notifications', () => {
  it('maps Error + NoMailbox to a hard bounce, with the channel as campaign', () => {
    expect(eventOf(adapter.parse(request(error('NoMailbox')), ctx))).toMatchObject({
      type: 'bounce',
      address: 'someone@example.com',
      reason: 'hard_bounce',
      severity: 'hard',
      fineReason: 'userunknown',
      providerMessageId: 'm-1',
      campaign: 'spring-sale',
      occurredAt: Date.parse('2026-01-01T10:00:00Z'),
      details: { status: 'Error', category: 'NoMailbox', transaction: 't-1' },
    });
  });

  it('maps every category and status of §6.4', () => {
    const hard = ['NoMailbox'];
    const sender = [
      'BlackListed',
      'Spam',
      'ContentFilter',
      'SPFProblem',
      'AccountProblem',
      'WhitelistingProblem',
    ];
    const soft = [
      'GreyListed',
      'Throttled',
      'Timeout',
      'ConnectionProblem',
      'DNSProblem',
      'ConnectionTerminated',
      'NotDelivered',
      'Unknown',
      'CodeError',
      'SomethingNew',
    ];
    for (const c of hard)
      expect(eventOf(adapter.parse(request(error(c)), ctx)), c).toMatchObject({
        type: 'bounce',
        reason: 'hard_bounce',
      });
    for (const c of sender)
      expect(eventOf(adapter.parse(request(error(c)), ctx)), c).toMatchObject({
        type: 'bounce',
        reason: null,
      });
    for (const c of soft)
      expect(eventOf(adapter.parse(request(error(c)), ctx)), c).toMatchObject({
        type: 'bounce',
        reason: 'soft_bounce',
        severity: 'soft',
      });
    expect(eventOf(adapter.parse(request(error('Suppressed')), ctx))).toMatchObject({
      type: 'dropped',
      reason: 'hard_bounce',
      fineReason: 'suppressed',
    });
    for (const c of ['Ignore', 'ManualCancel'])
      expect(eventOf(adapter.parse(request(error(c)), ctx)), c).toMatchObject({
        type: 'dropped',
        reason: null,
      });
    const statuses: Array<[string, string, string | null]> = [
      ['AbuseReport', 'complaint', 'spam_complaint'],
      ['Unsubscribed', 'unsubscribe', 'unsubscribe'],
      ['Sent', 'delivered', null],
      ['Opened', 'open', null],
      ['Clicked', 'click', null],
    ];
    for (const [status, type, reason] of statuses)
      expect(
        eventOf(adapter.parse(request({ to: 'a@x.example', status }), ctx)),
        status,
      ).toMatchObject({ type, reason });
  });

  it('ignores unknown statuses and refuses notifications without status or a valid to', () => {
    expect(adapter.parse(request({ to: 'a@x.example', status: 'Queued' }), ctx)).toEqual({
      kind: 'ignored',
      reason: 'Elastic Email Queued is not used',
    });
    expect(() => adapter.parse(request({ to: 'a@x.example' }), ctx)).toThrow(ParseError);
    expect(() => adapter.parse(request({ status: 'Error' }), ctx)).toThrow(ParseError);
    expect(() => adapter.parse(request({ status: 'Error', to: 'nope' }), ctx)).toThrow(ParseError);
  });

  it('gives a repeated notification the same dedup key', () => {
    const a = eventOf(adapter.parse(request(error('NoMailbox')), ctx));
    const b = eventOf(adapter.parse(request(error('NoMailbox')), ctx));
    const c = eventOf(adapter.parse(request({ ...error('NoMailbox'), status: 'Sent' }), ctx));
    expect(a?.dedupKey).toBe(b?.dedupKey);
    expect(c?.dedupKey).not.toBe(a?.dedupKey);
  });
});
