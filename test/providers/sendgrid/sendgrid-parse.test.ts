import { describe, expect, it } from 'vitest';
import type { NormalisedEvent } from '../../../src/core/events.js';
import { ParseError } from '../../../src/core/errors.js';
import { dedupHash } from '../../../src/core/hash.js';
import { createSendgridAdapter } from '../../../src/providers/sendgrid/sendgrid.adapter.js';
import type { AdapterResult } from '../../../src/providers/types.js';
import { makeSendgridKeys, sendgridBody, sendgridRequest } from '../../helpers/sendgrid-signer.js';

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

const at = 1_700_000_000;
const ev = (fields: Record<string, unknown>) => ({
  email: 'User@Example.com',
  timestamp: at,
  sg_event_id: 'id',
  ...fields,
});

describe('SendGrid event mapping', () => {
  it('maps every dropped reason: suppression reasons for the four that name the recipient, none for the rest', () => {
    const reasons = [
      'Bounced Address',
      'Unsubscribed Address',
      'Spam Reporting Address',
      'Invalid',
      'Invalid SMTPAPI header',
      'Spam Content (if Spam Checker app is enabled)',
      'Recipient List over Package Quota',
    ];
    const events = eventsOf(
      sendgridBody(
        reasons.map((reason, i) => ev({ event: 'dropped', reason, sg_event_id: `d${i}` })),
      ),
    );
    expect(events.map((e) => [e.type, e.reason, e.severity])).toEqual([
      ['dropped', 'hard_bounce', 'hard'],
      ['dropped', 'unsubscribe', null],
      ['dropped', 'spam_complaint', null],
      ['dropped', 'hard_bounce', 'hard'],
      ['dropped', null, null],
      ['dropped', null, null],
      ['dropped', null, null],
    ]);
  });

  it('scopes group unsubscribes and resubscribes to String(asm_group_id)', () => {
    const events = eventsOf(
      sendgridBody([
        ev({ event: 'group_unsubscribe', asm_group_id: 42 }),
        ev({ event: 'group_resubscribe', asm_group_id: 42, sg_event_id: 'r' }),
      ]),
    );
    expect(events.map((e) => [e.type, e.reason, e.scope])).toEqual([
      ['unsubscribe', 'unsubscribe', '42'],
      ['resubscribe', null, '42'],
    ]);
  });

  it('maps bounce types and classifications as hints only where the text says nothing', () => {
    const cases: Array<[Record<string, unknown>, string | null, string]> = [
      [{ type: 'bounce' }, 'hard_bounce', 'hard'],
      [{ type: 'blocked' }, 'soft_bounce', 'soft'],
      [{ type: 'expired' }, 'soft_bounce', 'soft'],
      [{ type: 'blocked', bounce_classification: 'Invalid Address' }, 'hard_bounce', 'hard'],
      [{ type: 'bounce', bounce_classification: 'Reputation' }, null, 'soft'],
      [{ type: 'bounce', bounce_classification: 'Technical Failure' }, null, 'soft'],
      [{ type: 'bounce', bounce_classification: 'Content' }, null, 'soft'],
      [{ type: 'bounce', bounce_classification: 'Frequency or Volume Too High' }, null, 'soft'],
      [
        {
          type: 'bounce',
          bounce_classification: 'Reputation',
          status: '5.1.1',
          reason: '550 5.1.1 no such user',
        },
        'hard_bounce',
        'hard',
      ],
      [
        { type: 'blocked', status: '5.1.1', reason: '550 5.1.1 no such user' },
        'hard_bounce',
        'hard',
      ],
    ];
    const events = eventsOf(
      sendgridBody(cases.map(([f], i) => ev({ event: 'bounce', sg_event_id: `b${i}`, ...f }))),
    );
    expect(events.map((e) => [e.reason, e.severity])).toEqual(
      cases.map(([, reason, severity]) => [reason, severity]),
    );
    expect(events[2]!.fineReason).toBe('expired');
  });

  it('maps delivered, open and click as informational and spamreport as a complaint', () => {
    const events = eventsOf(
      sendgridBody([
        ev({ event: 'delivered', response: '250 OK' }),
        ev({ event: 'open' }),
        ev({ event: 'click', url: 'https://x.test/' }),
        ev({ event: 'spamreport' }),
      ]),
    );
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ['delivered', null],
      ['open', null],
      ['click', null],
      ['complaint', 'spam_complaint'],
    ]);
    expect(events[2]!.details).toMatchObject({ url: 'https://x.test/' });
  });

  it('normalises the address, reads millisecond timestamps and takes the first category as the campaign', () => {
    const [e] = eventsOf(
      sendgridBody([
        ev({ event: 'delivered', timestamp: 1_700_000_000_123, category: ['spring', 'promo'] }),
      ]),
    );
    expect(e).toMatchObject({
      address: 'user@example.com',
      occurredAt: 1_700_000_000_123,
      campaign: 'spring',
      details: { categories: ['spring', 'promo'] },
    });
  });

  it('falls back to a hash of the event fields for the dedup key when sg_event_id is missing', () => {
    const raw = { email: 'a@example.com', event: 'delivered', timestamp: at };
    const [first] = eventsOf(sendgridBody([raw]));
    const [again] = eventsOf(
      JSON.stringify([{ timestamp: at, event: 'delivered', email: 'a@example.com' }]),
    );
    expect(first!.dedupKey).toBe(again!.dedupKey);
    expect(first!.dedupKey).toMatch(/^[0-9a-f]{64}$/);
    expect(first!.dedupKey).not.toBe(
      dedupHash('sendgrid', JSON.stringify({ ...raw, email: 'b@example.com' })),
    );
  });

  it('turns a bad event into an item error and keeps the rest of the batch', () => {
    const result = parse(
      sendgridBody([
        ev({ event: 'delivered' }),
        ev({ event: 'bounce', email: 'not-an-address' }),
        ev({ event: 'open', timestamp: 'soon' }),
        ev({ event: 'group_unsubscribe' }),
        'x',
      ]),
    );
    expect(result).toMatchObject({
      kind: 'events',
      errors: [{ index: 1 }, { index: 2 }, { index: 3 }, { index: 4 }],
    });
    expect(result.kind === 'events' && result.events.map((e) => e.type)).toEqual(['delivered']);
    expect(JSON.stringify(result)).not.toContain('not-an-address');
  });

  it('ignores a batch of only unknown or account events', () => {
    expect(
      parse(
        sendgridBody([
          { event: 'account_status_change', type: 'compliance_suspend', timestamp: at },
          ev({ event: 'future_thing' }),
        ]),
      ),
    ).toEqual({
      kind: 'ignored',
      reason: 'account_status_change is not about a recipient; unknown event type future_thing',
    });
  });

  it('treats Object.prototype names as unknown event types and drop reasons', () => {
    expect(
      parse(sendgridBody([ev({ event: 'constructor' }), ev({ event: 'toString' })])),
    ).toMatchObject({ kind: 'ignored' });
    const [dropped] = eventsOf(sendgridBody([ev({ event: 'dropped', reason: 'constructor' })]));
    expect(dropped).toMatchObject({ type: 'dropped', reason: null, severity: null });
  });

  it('throws ParseError for a body that is not a JSON array', () => {
    for (const body of ['', '{"event":"open"}', 'not json'])
      expect(() => parse(body)).toThrow(ParseError);
  });
});
