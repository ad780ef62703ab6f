import { classifyBounce, type BounceSignal, type FineReason } from '../../core/classify.js';
import type { Reason, Severity } from '../../core/events.js';

/**
 * What a PowerMTA bounce category (`bounceCat`, spec §5.2) means for the recipient:
 * `hard` suppresses at once, `soft` counts towards the soft-bounce rule, `sender` records the
 * event without suppressing (the failure is ours: content, reputation, configuration).
 */
export type CategoryVerdict = 'hard' | 'soft' | 'sender';

export interface CategoryRule {
  verdict: CategoryVerdict;
  /** Sisimai's name for the same failure, so reports group Inboxroad bounces with the rest. */
  fineReason: FineReason;
}

/**
 * Every category of the PowerMTA User's Guide §1.5. Seed 003's BOUNCE_MAPPER covers the first
 * eight; the rest follow the spec's "Recommended" column. `other`, `success`, an empty category
 * and categories a customised PowerMTA invents are not listed: they fall back to the shared
 * classifier over `dsnStatus`/`dsnDiag`.
 */
export const INBOXROAD_CATEGORIES: Readonly<Record<string, CategoryRule>> = Object.freeze({
  'bad-mailbox': { verdict: 'hard', fineReason: 'userunknown' },
  'bad-domain': { verdict: 'hard', fineReason: 'hostunknown' },
  // Seed 003 says SOFT; the spec notes most PowerMTA bounce handlers treat it as hard. Hard here:
  // disabled and expired mailboxes rarely return, and providers recycle abandoned mailboxes into
  // spam traps, so repeated sends to them cost reputation.
  'inactive-mailbox': { verdict: 'hard', fineReason: 'suspend' },
  'quota-issues': { verdict: 'soft', fineReason: 'mailboxfull' },
  'no-answer-from-host': { verdict: 'soft', fineReason: 'networkerror' },
  // Counted as soft (seed 003): usually a misconfigured recipient domain, not our relay setup.
  'relaying-issues': { verdict: 'soft', fineReason: 'norelaying' },
  'routing-errors': { verdict: 'soft', fineReason: 'networkerror' },
  'message-expired': { verdict: 'soft', fineReason: 'expired' },
  'bad-configuration': { verdict: 'soft', fineReason: 'systemerror' },
  'bad-connection': { verdict: 'soft', fineReason: 'networkerror' },
  'content-related': { verdict: 'sender', fineReason: 'contenterror' },
  // The *sending* domain's DNS/MX is wrong: alert-worthy, never the recipient's fault.
  'invalid-sender': { verdict: 'sender', fineReason: 'rejected' },
  'policy-related': { verdict: 'sender', fineReason: 'policyviolation' },
  'protocol-errors': { verdict: 'sender', fineReason: 'syntaxerror' },
  'spam-related': { verdict: 'sender', fineReason: 'spamdetected' },
  'virus-related': { verdict: 'sender', fineReason: 'virusdetected' },
});

export interface InboxroadBounceVerdict {
  fineReason: FineReason;
  severity: Severity;
  reason: Extract<Reason, 'hard_bounce' | 'soft_bounce'> | null;
  /** `category` when the table decided, `classifier` when the DSN fields did. */
  decidedBy: 'category' | 'classifier';
}

const BY_VERDICT: Record<CategoryVerdict, Pick<InboxroadBounceVerdict, 'severity' | 'reason'>> = {
  hard: { severity: 'hard', reason: 'hard_bounce' },
  soft: { severity: 'soft', reason: 'soft_bounce' },
  sender: { severity: 'soft', reason: null },
};

export function classifyInboxroadBounce(
  bounceCat: string | null,
  signal: BounceSignal,
): InboxroadBounceVerdict {
  const key = bounceCat?.trim().toLowerCase() ?? '';
  // hasOwn: a category such as `constructor` must not find Object.prototype members.
  const rule = Object.hasOwn(INBOXROAD_CATEGORIES, key) ? INBOXROAD_CATEGORIES[key] : undefined;
  if (rule)
    return { fineReason: rule.fineReason, ...BY_VERDICT[rule.verdict], decidedBy: 'category' };
  const classified = classifyBounce(signal);
  return {
    fineReason: classified.fineReason,
    severity: classified.severity,
    reason: classified.suppression,
    decidedBy: 'classifier',
  };
}
