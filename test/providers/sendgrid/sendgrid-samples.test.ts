import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NormalisedEvent } from '../../../src/core/events.js';
import { createSendgridAdapter } from '../../../src/providers/sendgrid/sendgrid.adapter.js';
import type { AdapterResult } from '../../../src/providers/types.js';
import { makeSendgridKeys, sendgridBody, sendgridRequest } from '../../helpers/sendgrid-signer.js';

const fixture = (name: string): unknown =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/providers/sendgrid/${name}`, import.meta.url), 'utf8'),
  );
const adapter = createSendgridAdapter({ publicKeys: [makeSendgridKeys().verificationKey] });
const ctx = { defaultPhoneRegion: 'US' };

function parse(body: string): AdapterResult {
  return adapter.parse(sendgridRequest(body, {}), ctx);
}
function eventsOf(body: string): NormalisedEvent[] {
  const result = parse(body);
  if (result.kind !== 'events') throw new Error(`expected events, got ${result.kind}`);
  return result.events;
}
const pick = (e: NormalisedEvent) => ({
  type: e.type,
  address: e.address,
  reason: e.reason,
  severity: e.severity,
  scope: e.scope,
  dedupKey: e.dedupKey,
});

describe('SendGrid sample A (multi-event vector, spec A §1.12)', () => {
  const { multiple } = fixture('official-vectors.json') as { multiple: { events: unknown[] } };
  const events = eventsOf(sendgridBody(multiple.events));

  it('maps the processed event as informational', () => {
    expect(pick(events[0]!)).toEqual({
      type: 'processed',
      address: 'invalid@gmail.com',
      reason: null,
      severity: null,
      scope: '*',
      dedupKey: 'cHJvY2Vzc2VkLTE5OTQyMTEyLXFOd0JMZ1BRUWpXNkRKdktRd1NBYnctMA',
    });
    expect(events[0]!.occurredAt).toBe(1_619_651_146_000);
    expect(events[0]!.providerMessageId).toBe(
      'qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0',
    );
  });

  it('classifies the "blocked" 5.2.2 over-quota bounce from its status, not from its type', () => {
    const bounce = events[1]!;
    expect(pick(bounce)).toEqual({
      type: 'bounce',
      address: 'invalid@gmail.com',
      reason: 'soft_bounce',
      severity: 'soft',
      scope: '*',
      dedupKey: 'Ym91bmNlLTAtMTk5NDIxMTItcU53QkxnUFFRalc2REp2S1F3U0Fidy0w',
    });
    expect(bounce).toMatchObject({
      fineReason: 'mailboxfull',
      enhancedStatus: '5.2.2',
      smtpCode: '552',
      details: { bounceType: 'blocked' },
    });
  });
});

describe('SendGrid sample B (documented shapes, spec A §1.12)', () => {
  const result = parse(sendgridBody(fixture('sample-b-documented.json') as unknown[]));
  const events = result.kind === 'events' ? result.events : [];

  it('keeps six recipient events, skips account_status_change and reports no errors', () => {
    expect(result).toMatchObject({ kind: 'events', errors: [] });
    expect(events.map((e) => e.type)).toEqual([
      'bounce',
      'dropped',
      'complaint',
      'unsubscribe',
      'unsubscribe',
      'deferred',
    ]);
  });

  it('maps each event to its suppression reason, severity, scope and dedup key', () => {
    expect(events.map(pick)).toEqual([
      {
        type: 'bounce',
        address: 'example@test.com',
        reason: 'hard_bounce',
        severity: 'hard',
        scope: '*',
        dedupKey: '6g4ZI7SA-xmRDv57GoPIPw==',
      },
      {
        type: 'dropped',
        address: 'example@test.com',
        reason: 'hard_bounce',
        severity: 'hard',
        scope: '*',
        dedupKey: 'zmzJhfJgAfUSOW80yEbPyw==',
      },
      {
        type: 'complaint',
        address: 'example@test.com',
        reason: 'spam_complaint',
        severity: null,
        scope: '*',
        dedupKey: '37nvH5QBz858KGVYCM4uOA==',
      },
      {
        type: 'unsubscribe',
        address: 'example@test.com',
        reason: 'unsubscribe',
        severity: null,
        scope: '*',
        dedupKey: 'zz_BjPgU_5pS-J8vlfB1sg==',
      },
      {
        type: 'unsubscribe',
        address: 'example@test.com',
        reason: 'unsubscribe',
        severity: null,
        scope: '10',
        dedupKey: 'ahSCB7xYcXFb-hEaawsPRw==',
      },
      {
        type: 'deferred',
        address: 'example@test.com',
        reason: null,
        severity: null,
        scope: '*',
        dedupKey: 't7LEShmowp86DTdUW8M-GQ==',
      },
    ]);
  });

  it('reads the Invalid Address bounce as userunknown from its text and keeps the provider detail', () => {
    expect(events[0]).toMatchObject({
      fineReason: 'userunknown',
      smtpCode: '500',
      enhancedStatus: '5.0.0',
      diagnostic: '500 unknown recipient',
      campaign: 'cat facts',
      occurredAt: 1_513_299_569_000,
      details: {
        bounceType: 'bounce',
        bounceClassification: 'Invalid Address',
        categories: ['cat facts'],
      },
    });
  });

  it('keeps the deferral response and attempt count', () => {
    expect(events[5]).toMatchObject({
      diagnostic: '400 try again later',
      smtpCode: '400',
      details: { attempt: '5' },
    });
  });
});

describe('SendGrid sample C (bounce without status, spec A §1.12)', () => {
  it('maps it through the shared classifier with the "blocked" soft hint', () => {
    const [event] = eventsOf(sendgridBody(fixture('sample-c-no-status.json') as unknown[]));
    expect(pick(event!)).toMatchObject({
      type: 'bounce',
      address: 'noemail@this.does.not.exist.tld',
      scope: '*',
      dedupKey: 'Ym91bmNlLTQtNTA0ODUxOTUtZXVvMmlLeGRTYXlQRjRZRTQtLUk3QS0w',
    });
    expect(event!.enhancedStatus).toBeNull();
    // The shared classifier reads "PTR record" as requireptr (sender-side, no suppression) before
    // it sees "unable to get mx info" (hostunknown): reported to the integrator, not patched here.
    expect(event).toMatchObject({ fineReason: 'requireptr', reason: null, severity: 'soft' });
  });
});
