import { describe, expect, it } from 'vitest';
import { MS_PER_DAY } from '../../src/core/clock.js';
import { makeEvent, type NormalisedEvent, type Reason } from '../../src/core/events.js';
import {
  decide,
  DEFAULT_POLICY,
  transition,
  type PolicyConfig,
  type SuppressionState,
} from '../../src/core/policy.js';

const T0 = Date.UTC(2026, 0, 1);

function ev(reason: Reason | null, fields: Partial<NormalisedEvent> = {}): NormalisedEvent {
  return makeEvent({
    type: 'bounce',
    channel: 'email',
    address: 'a@example.com',
    occurredAt: T0,
    dedupKey: 'k',
    reason,
    ...fields,
  });
}

/** Apply a sequence of events with the transition the worker applies, returning the final state. */
function run(
  events: NormalisedEvent[],
  policy: PolicyConfig = DEFAULT_POLICY,
  start: SuppressionState | null = null,
): SuppressionState | null {
  let state = start;
  for (const e of events) {
    const next = transition(state, decide(policy, e, 'test', state), e);
    if (next.change === 'upsert' || next.change === 'reset-soft') state = next.state;
    else if (next.change === 'lift') state = null;
  }
  return state;
}

describe('the default suppression policy', () => {
  it.each([
    'hard_bounce',
    'spam_complaint',
    'invalid_number',
    'carrier_rejection',
    'sms_opt_out',
    'manual',
  ] as const)('%s suppresses permanently', (reason) => {
    expect(run([ev(reason)])).toMatchObject({ reason, expiresAt: null });
  });

  it('unsubscribe suppresses permanently in the event scope (global or its group)', () => {
    expect(run([ev('unsubscribe', { type: 'unsubscribe' })])).toMatchObject({
      reason: 'unsubscribe',
      expiresAt: null,
    });
    const d = decide(
      DEFAULT_POLICY,
      ev('unsubscribe', { type: 'unsubscribe', scope: '42' }),
      'sendgrid',
      null,
    );
    expect(d).toMatchObject({ kind: 'upsert', state: { reason: 'unsubscribe', expiresAt: null } });
  });

  it.each(['soft_bounce', 'sms_failure'] as const)(
    '%s suppresses for 7 days after the latest one',
    (reason) => {
      const s = run([ev(reason), ev(reason, { occurredAt: T0 + 2 * MS_PER_DAY })]);
      expect(s).toMatchObject({ reason, softCount: 2, expiresAt: T0 + 9 * MS_PER_DAY });
    },
  );

  it.each(['soft_bounce', 'sms_failure'] as const)(
    '%s becomes permanent at the 5th within 30 days',
    (reason) => {
      const four = [0, 5, 10, 15].map((d) => ev(reason, { occurredAt: T0 + d * MS_PER_DAY }));
      expect(run(four)).toMatchObject({ softCount: 4, expiresAt: T0 + 22 * MS_PER_DAY });
      expect(run([...four, ev(reason, { occurredAt: T0 + 20 * MS_PER_DAY })])).toMatchObject({
        softCount: 5,
        expiresAt: null,
      });
    },
  );

  it('does not count soft failures older than the 30-day window', () => {
    const spread = [0, 10, 20, 31, 40].map((d) =>
      ev('soft_bounce', { occurredAt: T0 + d * MS_PER_DAY }),
    );
    expect(run(spread)).toMatchObject({ softCount: 3, expiresAt: T0 + 47 * MS_PER_DAY });
  });

  it('a later delivery resets the soft count', () => {
    const s = run([
      ev('soft_bounce'),
      ev('soft_bounce', { occurredAt: T0 + MS_PER_DAY }),
      ev(null, { type: 'delivered', occurredAt: T0 + 2 * MS_PER_DAY }),
      ev('soft_bounce', { occurredAt: T0 + 3 * MS_PER_DAY }),
    ]);
    expect(s).toMatchObject({ softCount: 1 });
  });

  it('a resubscribe lifts only an unsubscribe', () => {
    const unsub = run([ev('unsubscribe', { type: 'unsubscribe', scope: '7' })]);
    expect(
      decide(DEFAULT_POLICY, ev(null, { type: 'resubscribe', scope: '7' }), 'test', unsub),
    ).toEqual({ kind: 'lift', reasons: ['unsubscribe'] });
    const hard = run([ev('hard_bounce')]);
    expect(run([ev(null, { type: 'resubscribe' })], DEFAULT_POLICY, hard)).toMatchObject({
      reason: 'hard_bounce',
    });
  });

  it('an SMS opt-in lifts an SMS opt-out', () => {
    const out = run([
      ev('sms_opt_out', { type: 'sms_opt_out', channel: 'sms', address: '+15551234567' }),
    ]);
    expect(
      run(
        [ev(null, { type: 'sms_opt_in', channel: 'sms', address: '+15551234567' })],
        DEFAULT_POLICY,
        out,
      ),
    ).toBeNull();
  });

  it('an SMS opt-in lifts only an opt-out the same provider recorded', () => {
    const sms = { channel: 'sms' as const, address: '+15551234567' };
    const out = decide(
      DEFAULT_POLICY,
      ev('sms_opt_out', { type: 'sms_opt_out', ...sms }),
      'vonage',
      null,
    );
    if (out.kind !== 'upsert') throw new Error('expected an upsert');
    const start = ev(null, { type: 'sms_opt_in', ...sms });
    expect(decide(DEFAULT_POLICY, start, 'plivo', out.state)).toEqual({
      kind: 'none',
      why: 'established by vonage, not plivo',
    });
    expect(decide(DEFAULT_POLICY, start, 'vonage', out.state)).toEqual({
      kind: 'lift',
      reasons: ['sms_opt_out'],
    });
  });

  it('keeps the stronger reason: a hard bounce replaces an unsubscribe, an unsubscribe never weakens a complaint', () => {
    expect(
      run([ev('unsubscribe', { type: 'unsubscribe' }), ev('hard_bounce', { occurredAt: T0 + 1 })]),
    ).toMatchObject({ reason: 'hard_bounce' });
    expect(
      run([
        ev('spam_complaint', { type: 'complaint' }),
        ev('unsubscribe', { type: 'unsubscribe', occurredAt: T0 + 1 }),
      ]),
    ).toMatchObject({ reason: 'spam_complaint' });
  });

  it('a soft failure never turns a permanent suppression into a cool-down', () => {
    expect(run([ev('hard_bounce'), ev('soft_bounce', { occurredAt: T0 + 1 })])).toMatchObject({
      reason: 'hard_bounce',
      expiresAt: null,
    });
  });

  it('never suppresses allowlisted addresses or domains', () => {
    const policy = {
      ...DEFAULT_POLICY,
      allowlist: { addresses: ['vip@example.org'], domains: ['example.com'] },
    };
    expect(decide(policy, ev('hard_bounce'), 't', null)).toMatchObject({
      kind: 'none',
      why: 'allowlisted',
    });
    expect(
      decide(policy, ev('hard_bounce', { address: 'vip@example.org' }), 't', null),
    ).toMatchObject({ kind: 'none' });
    expect(decide(policy, ev('hard_bounce', { address: 'x@other.org' }), 't', null)).toMatchObject({
      kind: 'upsert',
    });
  });

  it('follows a configured rule instead of the default', () => {
    const policy: PolicyConfig = {
      ...DEFAULT_POLICY,
      rules: {
        ...DEFAULT_POLICY.rules,
        soft_bounce: { mode: 'none' },
        unsubscribe: {
          mode: 'cooldown',
          cooldownMs: MS_PER_DAY,
          permanentAfter: 2,
          windowMs: 10 * MS_PER_DAY,
        },
      },
    };
    expect(decide(policy, ev('soft_bounce'), 't', null)).toMatchObject({ kind: 'none' });
    expect(run([ev('unsubscribe', { type: 'unsubscribe' })], policy)).toMatchObject({
      expiresAt: T0 + MS_PER_DAY,
    });
  });

  it('ignores events that argue for no suppression', () => {
    expect(decide(DEFAULT_POLICY, ev(null, { type: 'open' }), 't', null)).toMatchObject({
      kind: 'none',
    });
  });
});

describe('the state change a decision implies (transition)', () => {
  const soft: SuppressionState = {
    reason: 'soft_bounce',
    source: 'test',
    firstEventAt: T0,
    lastEventAt: T0,
    expiresAt: T0 + 7 * MS_PER_DAY,
    softCount: 2,
    softFailures: [T0 - MS_PER_DAY, T0],
    metadata: {},
  };
  const delivered = ev(null, { type: 'delivered', occurredAt: T0 + MS_PER_DAY });

  it('a delivery ends a soft cool-down at the delivery time and restarts the soft count', () => {
    expect(transition(soft, { kind: 'reset-soft' }, delivered)).toEqual({
      change: 'reset-soft',
      state: { ...soft, softCount: 0, softFailures: [], expiresAt: T0 + MS_PER_DAY },
    });
  });

  it('a delivery leaves a permanent suppression permanent, and does nothing without a row', () => {
    const hard = { ...soft, reason: 'hard_bounce' as const, expiresAt: null };
    expect(transition(hard, { kind: 'reset-soft' }, delivered)).toMatchObject({
      change: 'reset-soft',
      state: { reason: 'hard_bounce', expiresAt: null, softCount: 0 },
    });
    expect(transition(null, { kind: 'reset-soft' }, delivered)).toEqual({ change: 'none' });
  });

  it('a lift removes the row only when it holds a reason lifted', () => {
    const lift = { kind: 'lift', reasons: ['unsubscribe'] } as const;
    expect(transition(soft, lift, delivered)).toEqual({ change: 'none' });
    const unsub = { ...soft, reason: 'unsubscribe' as const, expiresAt: null };
    expect(transition(unsub, lift, delivered)).toEqual({ change: 'lift', lifted: unsub });
  });
});

describe('provider refusals (dropped events)', () => {
  const drop = ev('hard_bounce', { type: 'dropped' });

  it('are recorded without suppressing by default: the bounce behind them is what suppresses', () => {
    expect(decide(DEFAULT_POLICY, drop, 'sendgrid', null)).toEqual({
      kind: 'none',
      why: 'a provider refusal is recorded, not suppressed',
    });
  });

  it('suppress for the reason they carry when BOUNCER_DROPPED_SUPPRESSES is on', () => {
    const policy = { ...DEFAULT_POLICY, droppedSuppresses: true };
    expect(decide(policy, drop, 'sendgrid', null)).toMatchObject({
      kind: 'upsert',
      state: { reason: 'hard_bounce', expiresAt: null },
    });
  });
});
