import { describe, expect, it } from 'vitest';
import { makeEvent, REASONS, type EventType, type Reason } from '../../src/core/events.js';
import {
  decide,
  DEFAULT_POLICY,
  ESTABLISHED_KINDS,
  establishedKind,
  LIFTER_KINDS,
  mayLift,
  type EstablishedKind,
  type Lifter,
  type PolicyConfig,
  type SuppressionState,
} from '../../src/core/policy.js';

/**
 * The authority table as documented in docs/security.md, written out independently of the
 * code: for a provider lifter, the established kinds it may lift, per reason. `C` marks the
 * complaint cell that only `providerLiftsComplaints` opens. An operator may lift everything.
 */
const PROVIDER_MAY_LIFT: Record<EstablishedKind, 'yes' | 'no' | 'C'> = {
  operator: 'no',
  import: 'no',
  'other-provider': 'no',
  'same-provider': 'yes',
};

const SOURCES: Record<EstablishedKind, string> = {
  operator: 'manual',
  import: 'import',
  'same-provider': 'drip',
  'other-provider': 'ses',
};

function expected(
  lifter: (typeof LIFTER_KINDS)[number],
  established: EstablishedKind,
  reason: Reason,
  complaintsAllowed: boolean,
): boolean {
  if (lifter === 'operator') return true;
  const cell = PROVIDER_MAY_LIFT[established];
  if (cell === 'no') return false;
  return reason === 'spam_complaint' ? complaintsAllowed : true;
}

const policyWith = (providerLiftsComplaints: boolean): PolicyConfig => ({
  ...DEFAULT_POLICY,
  lifts: { providerLiftsComplaints },
});

describe('the lift authority table', () => {
  const cases = LIFTER_KINDS.flatMap((l) =>
    ESTABLISHED_KINDS.flatMap((e) =>
      REASONS.flatMap((r) => [false, true].map((c) => [l, e, r, c] as const)),
    ),
  );

  it('covers every lifter kind × established kind × reason × complaint setting', () => {
    expect(cases).toHaveLength(LIFTER_KINDS.length * ESTABLISHED_KINDS.length * REASONS.length * 2);
  });

  it.each(cases)('%s lifting what %s established for %s (complaints allowed: %s)', (l, e, r, c) => {
    const lifter: Lifter =
      l === 'operator' ? { kind: 'operator' } : { kind: 'provider', provider: 'drip' };
    expect(establishedKind(SOURCES[e], lifter)).toBe(
      l === 'operator' && e.endsWith('provider') ? 'other-provider' : e,
    );
    const verdict = mayLift(policyWith(c), lifter, { source: SOURCES[e], reason: r });
    expect(verdict.allowed).toBe(expected(l, e, r, c));
  });
});

describe('provider events through decide', () => {
  const state = (reason: Reason, source: string): SuppressionState => ({
    reason,
    source,
    firstEventAt: 0,
    lastEventAt: 0,
    expiresAt: null,
    softCount: 0,
    softFailures: [],
    metadata: {},
  });
  const event = (type: EventType) =>
    makeEvent({ type, channel: 'email', address: 'a@example.com', occurredAt: 1, dedupKey: 'k' });

  it('a Drip reactivation never lifts an SES complaint, a SendGrid bounce, an import or an operator', () => {
    for (const [reason, source] of [
      ['spam_complaint', 'ses'],
      ['hard_bounce', 'sendgrid'],
      ['spam_complaint', 'sendgrid'],
      ['hard_bounce', 'import'],
      ['hard_bounce', 'manual'],
    ] as const)
      expect(
        decide(DEFAULT_POLICY, event('reactivated'), 'drip', state(reason, source)),
      ).toMatchObject({
        kind: 'none',
      });
  });

  it("lifts the same provider's bounce, and its complaint only when the policy allows it", () => {
    expect(
      decide(DEFAULT_POLICY, event('reactivated'), 'drip', state('hard_bounce', 'drip')),
    ).toEqual({
      kind: 'lift',
      reasons: ['hard_bounce', 'soft_bounce', 'spam_complaint'],
    });
    expect(
      decide(DEFAULT_POLICY, event('reactivated'), 'drip', state('spam_complaint', 'drip')),
    ).toMatchObject({
      kind: 'none',
    });
    expect(
      decide(policyWith(true), event('reactivated'), 'drip', state('spam_complaint', 'drip')),
    ).toMatchObject({
      kind: 'lift',
    });
  });

  it('judges an API event by its sender, not by the source label it carries', () => {
    expect(
      decide(DEFAULT_POLICY, event('resubscribe'), 'ses', state('unsubscribe', 'ses'), 'api'),
    ).toMatchObject({ kind: 'none' });
  });
});
