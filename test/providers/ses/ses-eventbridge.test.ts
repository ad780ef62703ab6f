import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Reader } from '../../../src/config.js';
import { ParseError } from '../../../src/core/errors.js';
import { createSesEventBridgeAdapter } from '../../../src/providers/ses/ses-eventbridge.adapter.js';
import { parseSesEventBridgeConfig } from '../../../src/providers/ses/ses-eventbridge.config.js';
import { mapSesMessage } from '../../../src/providers/ses/ses.events.js';
import type { AdapterResult, WebhookRequest } from '../../../src/providers/types.js';

const ENVELOPE = readFileSync(
  new URL('../../fixtures/providers/ses/eventbridge-bounce.json', import.meta.url),
  'utf8',
);
const TOKEN = 'eventbridge-token-0123456789abcdef';
const ctx = { defaultPhoneRegion: 'US' };
const adapter = createSesEventBridgeAdapter({
  tokens: ['eventbridge-old-token-0123456789', TOKEN],
  header: 'x-bouncer-token',
  basic: ['eventbridge:basic-password-0123456789'],
});
const request = (body: string, headers: Record<string, string> = {}): WebhookRequest => ({
  rawBody: Buffer.from(body),
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Amazon/EventBridge/ApiDestinations',
    ...headers,
  },
  url: '/webhooks/ses/eventbridge',
  params: {},
  receivedAt: Date.UTC(2026, 0, 1),
});
const eventsOf = (r: AdapterResult) => {
  if (r.kind !== 'events') throw new Error(`expected events, got ${r.kind}`);
  return r.events;
};

describe('SES through EventBridge: the API destination credential', () => {
  it('accepts the configured header, a rotated token, Bearer in Authorization and Basic', () => {
    expect(adapter.verify(request(ENVELOPE, { 'x-bouncer-token': TOKEN }))).toEqual({ ok: true });
    expect(
      adapter.verify(request(ENVELOPE, { 'x-bouncer-token': 'eventbridge-old-token-0123456789' })),
    ).toEqual({ ok: true });
    const auth = createSesEventBridgeAdapter({
      tokens: [TOKEN],
      header: 'authorization',
      basic: [],
    });
    expect(auth.verify(request(ENVELOPE, { authorization: `Bearer ${TOKEN}` }))).toEqual({
      ok: true,
    });
    expect(auth.verify(request(ENVELOPE, { authorization: TOKEN }))).toEqual({ ok: true });
    const basic = `Basic ${Buffer.from('eventbridge:basic-password-0123456789').toString('base64')}`;
    expect(adapter.verify(request(ENVELOPE, { authorization: basic }))).toEqual({ ok: true });
  });

  it('refuses a missing or wrong credential (no signature exists to check)', () => {
    expect(adapter.verify(request(ENVELOPE))).toEqual({
      ok: false,
      reason: 'missing x-bouncer-token header and Basic auth',
    });
    expect(
      adapter.verify(request(ENVELOPE, { 'x-bouncer-token': 'wrong-token-0123456789abcdef' })).ok,
    ).toBe(false);
    expect(adapter.verify(request(ENVELOPE, { 'x-other': TOKEN })).ok).toBe(false);
  });

  it('refuses a bad header name or short tokens at start-up, naming the setting', () => {
    expect(() =>
      parseSesEventBridgeConfig(new Reader({ BOUNCER_SES_EVENTBRIDGE_HEADER: 'bad header' })),
    ).toThrow(/BOUNCER_SES_EVENTBRIDGE_HEADER/);
    expect(() =>
      parseSesEventBridgeConfig(new Reader({ BOUNCER_SES_EVENTBRIDGE_TOKENS: 'short' })),
    ).toThrow(/BOUNCER_SES_EVENTBRIDGE_TOKENS/);
    expect(
      parseSesEventBridgeConfig(new Reader({ BOUNCER_SES_EVENTBRIDGE_HEADER: 'X-Api-Key' })).header,
    ).toBe('x-api-key');
  });
});

describe('SES through EventBridge: the envelope', () => {
  it('maps the record in detail (an object, not a string) with the SNS tables, keyed on the event id', () => {
    expect(eventsOf(adapter.parse(request(ENVELOPE), ctx))).toMatchObject([
      {
        type: 'bounce',
        address: 'recipient1@example.com',
        reason: 'hard_bounce',
        severity: 'hard',
        fineReason: 'userunknown',
        enhancedStatus: '5.1.1',
        providerMessageId: '000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000',
        occurredAt: Date.parse('2024-05-25T14:59:38.605Z'),
        details: {
          eventBridgeId: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
          configurationSet: 'ConfigSet',
          bounceType: 'Permanent',
        },
      },
    ]);
  });

  it('gives the same events as the SNS path for the same SES record, except the transport id', () => {
    const detail = (JSON.parse(ENVELOPE) as { detail: unknown }).detail;
    const viaSns = mapSesMessage(JSON.stringify(detail), 'sns-message-id', 0);
    const viaEb = eventsOf(adapter.parse(request(ENVELOPE), ctx));
    const strip = (events: ReturnType<typeof eventsOf>) =>
      events.map(
        ({ dedupKey: _k, details: { snsMessageId: _s, eventBridgeId: _e, ...rest }, ...e }) => ({
          ...e,
          details: rest,
        }),
      );
    expect(strip(viaEb)).toEqual(strip(eventsOf(viaSns)));
    expect(viaEb[0]?.dedupKey).not.toBe(eventsOf(viaSns)[0]?.dedupKey);
  });

  it('takes a record forwarded alone by an input transformer, and a detail serialised as a string', () => {
    const detail = (JSON.parse(ENVELOPE) as { detail: unknown }).detail;
    expect(eventsOf(adapter.parse(request(JSON.stringify(detail)), ctx))).toMatchObject([
      { type: 'bounce', address: 'recipient1@example.com' },
    ]);
    const stringy = JSON.stringify({
      ...(JSON.parse(ENVELOPE) as object),
      detail: JSON.stringify(detail),
    });
    expect(eventsOf(adapter.parse(request(stringy), ctx))).toMatchObject([{ type: 'bounce' }]);
  });

  it('ignores other sources and unused SES types, and refuses envelopes without id or detail', () => {
    const other = JSON.stringify({ id: 'x', source: 'aws.ec2', detail: {} });
    expect(adapter.parse(request(other), ctx)).toEqual({
      kind: 'ignored',
      reason: 'EventBridge event from aws.ec2, not aws.ses',
    });
    const rendering = JSON.stringify({
      id: 'y',
      source: 'aws.ses',
      detail: { eventType: 'Future Type', mail: {} },
    });
    expect(adapter.parse(request(rendering), ctx)).toEqual({
      kind: 'ignored',
      reason: 'SES Future Type is not used',
    });
    for (const body of [
      '[]',
      '{"source":"aws.ses"}',
      '{"source":"aws.ses","detail":{}}',
      '{"id":"z","detail":"not json"}',
    ])
      expect(() => adapter.parse(request(body), ctx), body).toThrow(ParseError);
  });
});
