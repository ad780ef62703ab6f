import { MS_PER_DAY } from './clock.js';
import { emailDomain } from './address.js';
import type { Channel } from './address.js';
import type { NormalisedEvent, Reason } from './events.js';

/** What one suppression reason does. */
export type ReasonRule =
  | { mode: 'permanent' }
  /** Suppressed for `cooldownMs` after the latest failure; permanent at the
   *  `permanentAfter`-th failure within `windowMs`. */
  | { mode: 'cooldown'; cooldownMs: number; permanentAfter: number; windowMs: number }
  /** Recorded as an event, suppresses nothing. */
  | { mode: 'none' };

export interface PolicyConfig {
  rules: Record<Reason, ReasonRule>;
  /** Reasons a `transactional` check ignores (unsubscribes: receipts still go out). */
  transactionalIgnores: readonly Reason[];
  /**
   * Whether a provider's refusal to send (`dropped`: the address is on the provider's own list,
   * or failed its checks) suppresses in Bouncer too (`BOUNCER_DROPPED_SUPPRESSES`, default
   * false). By default a drop is recorded for the history and suppresses nothing: the bounce,
   * complaint or unsubscribe behind it is the event that suppresses, and a provider's list
   * reaches Bouncer through an import or a sync pull, where its source is named.
   */
  droppedSuppresses?: boolean;
  /** Never suppressed: exact normalised addresses and whole domains. */
  allowlist: { addresses: readonly string[]; domains: readonly string[] };
  /** Who may lift what (see `mayLift`); absent: the defaults (`DEFAULT_LIFT_RULES`). */
  lifts?: LiftRules;
}

/**
 * The authority table's one setting: whether a provider's own event (Drip
 * `subscriber.marked_as_deliverable`, a resubscribe) may lift a complaint that same provider
 * reported (`BOUNCER_PROVIDER_LIFTS_COMPLAINTS`, default false). Everything else is fixed.
 */
export interface LiftRules {
  providerLiftsComplaints: boolean;
}

export const DEFAULT_LIFT_RULES: LiftRules = { providerLiftsComplaints: false };

/** Who asks for a suppression to be lifted. */
export type Lifter = { kind: 'operator' } | { kind: 'provider'; provider: string };
export const LIFTER_KINDS = ['operator', 'provider'] as const;

/** Who established a suppression, as seen by the one asking to lift it. */
export const ESTABLISHED_KINDS = ['operator', 'import', 'same-provider', 'other-provider'] as const;
export type EstablishedKind = (typeof ESTABLISHED_KINDS)[number];

/** Sources written by the operator (`POST /v1/suppressions`, dashboard) and by plain imports. */
export const OPERATOR_SOURCE = 'manual';
export const IMPORT_SOURCE = 'import';

export function establishedKind(source: string, lifter: Lifter): EstablishedKind {
  if (source === OPERATOR_SOURCE) return 'operator';
  if (source === IMPORT_SOURCE) return 'import';
  return lifter.kind === 'provider' && lifter.provider === source
    ? 'same-provider'
    : 'other-provider';
}

export type LiftVerdict = { allowed: true } | { allowed: false; why: string };

/**
 * The authority table. An operator may lift anything (and is audited). A provider's event may
 * lift only what that same provider established; never an operator's decision, an import or
 * another provider's finding (an unsigned Drip URL-token event must not undo a signed SES
 * complaint); and a complaint only where `lifts.providerLiftsComplaints` allows it.
 */
export function mayLift(
  policy: PolicyConfig,
  lifter: Lifter,
  established: { source: string; reason: Reason },
): LiftVerdict {
  if (lifter.kind === 'operator') return { allowed: true };
  const kind = establishedKind(established.source, lifter);
  if (kind === 'operator')
    return { allowed: false, why: 'only an operator lifts an operator decision' };
  if (kind !== 'same-provider')
    return { allowed: false, why: `established by ${established.source}, not ${lifter.provider}` };
  const rules = policy.lifts ?? DEFAULT_LIFT_RULES;
  if (established.reason === 'spam_complaint' && !rules.providerLiftsComplaints)
    return { allowed: false, why: 'complaints are lifted only by an operator' };
  return { allowed: true };
}

const SOFT_RULE: ReasonRule = {
  mode: 'cooldown',
  cooldownMs: 7 * MS_PER_DAY,
  permanentAfter: 5,
  windowMs: 30 * MS_PER_DAY,
};

export const DEFAULT_POLICY: PolicyConfig = {
  rules: {
    hard_bounce: { mode: 'permanent' },
    spam_complaint: { mode: 'permanent' },
    unsubscribe: { mode: 'permanent' },
    invalid_number: { mode: 'permanent' },
    carrier_rejection: { mode: 'permanent' },
    sms_opt_out: { mode: 'permanent' },
    manual: { mode: 'permanent' },
    soft_bounce: SOFT_RULE,
    sms_failure: SOFT_RULE,
  },
  transactionalIgnores: ['unsubscribe'],
  allowlist: { addresses: [], domains: [] },
};

/**
 * When one row could hold two reasons, the stronger one stays: a hard bounce on an unsubscribed
 * address must still block transactional mail (which ignores unsubscribes, hence their low rank);
 * an unsubscribe never weakens a complaint.
 */
export const REASON_RANK: Record<Reason, number> = {
  spam_complaint: 6,
  hard_bounce: 5,
  invalid_number: 5,
  carrier_rejection: 5,
  manual: 4,
  sms_opt_out: 4,
  soft_bounce: 2,
  sms_failure: 2,
  unsubscribe: 1,
};

/** The part of a suppression row the policy reads and writes. */
export interface SuppressionState {
  reason: Reason;
  source: string;
  firstEventAt: number;
  lastEventAt: number;
  /** null = permanent. */
  expiresAt: number | null;
  softCount: number;
  /** Epoch ms of recent soft failures inside the window (newest last). */
  softFailures: number[];
  metadata: Record<string, unknown>;
}

export type PolicyDecision =
  | { kind: 'none'; why: string }
  | { kind: 'upsert'; state: SuppressionState }
  | { kind: 'lift'; reasons: readonly Reason[] }
  | { kind: 'reset-soft' };

/** What a decision does to the row it was taken for. */
export type Transition =
  | { change: 'none' }
  | { change: 'upsert'; state: SuppressionState }
  /** The row goes; `lifted` is what it was (for the change record and the audit). */
  | { change: 'lift'; lifted: SuppressionState }
  | { change: 'reset-soft'; state: SuppressionState };

/**
 * The state change a decision implies for the current row: the one rule the worker applies and
 * the tests check. A lift removes the row only when it holds one of the reasons lifted; a
 * delivery (reset-soft) restarts the soft count and ends a soft cool-down at the delivery's time,
 * while a permanent suppression stays permanent.
 */
export function transition(
  current: SuppressionState | null,
  decision: PolicyDecision,
  event: Pick<NormalisedEvent, 'occurredAt'>,
): Transition {
  switch (decision.kind) {
    case 'upsert':
      return { change: 'upsert', state: decision.state };
    case 'lift':
      return current && decision.reasons.includes(current.reason)
        ? { change: 'lift', lifted: current }
        : { change: 'none' };
    case 'reset-soft': {
      if (!current) return { change: 'none' };
      const expiresAt =
        current.expiresAt === null ? null : Math.min(current.expiresAt, event.occurredAt);
      return {
        change: 'reset-soft',
        state: { ...current, softCount: 0, softFailures: [], expiresAt },
      };
    }
    case 'none':
      return { change: 'none' };
  }
}

export function isActive(state: Pick<SuppressionState, 'expiresAt'>, now: number): boolean {
  return state.expiresAt === null || state.expiresAt > now;
}

export function isAllowlisted(policy: PolicyConfig, channel: Channel, address: string): boolean {
  if (policy.allowlist.addresses.length > 0 && policy.allowlist.addresses.includes(address))
    return true;
  return (
    channel === 'email' &&
    policy.allowlist.domains.length > 0 &&
    policy.allowlist.domains.includes(emailDomain(address))
  );
}

function eventMetadata(event: NormalisedEvent): Record<string, unknown> {
  const meta: Record<string, unknown> = { eventType: event.type };
  if (event.fineReason) meta.fineReason = event.fineReason;
  if (event.severity) meta.severity = event.severity;
  if (event.smtpCode) meta.smtpCode = event.smtpCode;
  if (event.enhancedStatus) meta.enhancedStatus = event.enhancedStatus;
  if (event.diagnostic) meta.diagnostic = event.diagnostic.slice(0, 1_000);
  if (event.errorCode) meta.errorCode = event.errorCode;
  if (event.providerMessageId) meta.providerMessageId = event.providerMessageId;
  if (event.campaign) meta.campaign = event.campaign;
  return meta;
}

function liftDecision(
  policy: PolicyConfig,
  reasons: readonly Reason[],
  provider: string,
  current: SuppressionState | null,
): PolicyDecision {
  if (!current || !reasons.includes(current.reason))
    return { kind: 'none', why: 'nothing this event lifts' };
  const verdict = mayLift(policy, { kind: 'provider', provider }, current);
  return verdict.allowed ? { kind: 'lift', reasons } : { kind: 'none', why: verdict.why };
}

/**
 * The one place that turns an event into a suppression change. Pure: the current row (or null)
 * and the time come in, the decision goes out. Applying the same event twice is prevented
 * upstream by the event's unique dedup key.
 */
export function decide(
  policy: PolicyConfig,
  event: NormalisedEvent,
  source: string,
  current: SuppressionState | null,
  /** The provider that sent the event, when `source` is a label it chose (API events). */
  lifter: string = source,
): PolicyDecision {
  switch (event.type) {
    case 'delivered':
      return current && current.softCount > 0
        ? { kind: 'reset-soft' }
        : { kind: 'none', why: 'delivered' };
    case 'resubscribe':
      return liftDecision(policy, ['unsubscribe'], lifter, current);
    case 'sms_opt_in':
      return liftDecision(policy, ['sms_opt_out'], lifter, current);
    case 'reactivated':
      return liftDecision(
        policy,
        ['hard_bounce', 'soft_bounce', 'spam_complaint'],
        lifter,
        current,
      );
    case 'dropped':
      if (policy.droppedSuppresses !== true)
        return { kind: 'none', why: 'a provider refusal is recorded, not suppressed' };
      break;
    default:
      break;
  }
  const reason = event.reason;
  if (!reason) return { kind: 'none', why: 'event carries no suppression reason' };
  if (isAllowlisted(policy, event.channel, event.address))
    return { kind: 'none', why: 'allowlisted' };
  const rule = policy.rules[reason];
  const at = event.occurredAt;
  const metadata = { ...(current?.metadata ?? {}), ...eventMetadata(event) };
  if (rule.mode === 'none') return { kind: 'none', why: `policy ignores ${reason}` };

  if (rule.mode === 'permanent') {
    if (
      current &&
      current.expiresAt === null &&
      REASON_RANK[current.reason] > REASON_RANK[reason]
    ) {
      // Already permanently suppressed for a stronger reason: keep it, note the new evidence.
      return {
        kind: 'upsert',
        state: { ...current, lastEventAt: Math.max(current.lastEventAt, at), metadata },
      };
    }
    return {
      kind: 'upsert',
      state: {
        reason,
        source,
        firstEventAt: current ? Math.min(current.firstEventAt, at) : at,
        lastEventAt: current ? Math.max(current.lastEventAt, at) : at,
        expiresAt: null,
        softCount: current?.softCount ?? 0,
        softFailures: current?.softFailures ?? [],
        metadata,
      },
    };
  }

  // Cool-down rule: count failures inside the sliding window.
  const failures = [...(current?.softFailures ?? []), at]
    .filter((t) => t > at - rule.windowMs)
    .sort((a, b) => a - b)
    .slice(-rule.permanentAfter);
  const permanent = failures.length >= rule.permanentAfter;
  const base = {
    firstEventAt: current ? Math.min(current.firstEventAt, at) : at,
    lastEventAt: current ? Math.max(current.lastEventAt, at) : at,
    softCount: failures.length,
    softFailures: failures,
    metadata,
  };
  const keepCurrent =
    current !== null &&
    current.expiresAt === null &&
    current.reason !== reason &&
    (!permanent || REASON_RANK[current.reason] >= REASON_RANK[reason]);
  if (current && keepCurrent) {
    // A permanent suppression for another reason is never weakened by a soft failure.
    return {
      kind: 'upsert',
      state: {
        ...current,
        ...base,
        reason: current.reason,
        source: current.source,
        expiresAt: null,
      },
    };
  }
  const cooldownEnd = at + rule.cooldownMs;
  const expiresAt = permanent
    ? null
    : Math.max(
        cooldownEnd,
        current && current.reason === reason && current.expiresAt !== null ? current.expiresAt : 0,
      );
  return { kind: 'upsert', state: { ...base, reason, source, expiresAt } };
}
