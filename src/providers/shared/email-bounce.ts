import { classifyBounce, type FineReason } from '../../core/classify.js';
import type { Reason, Severity } from '../../core/events.js';
import { enhancedStatusOf, smtpCodeOf, stripDiagnosticType } from './diagnostic.js';

/** The bounce fields of a normalised event, from what an email provider relays. */
export interface BounceFields {
  reason: Reason | null;
  severity: Severity;
  fineReason: FineReason;
  smtpCode: string | null;
  enhancedStatus: string | null;
  diagnostic: string | null;
}

/**
 * Classifies a provider's bounce: the remote server's text (and SMTP code when the provider gives
 * it separately) decide; the provider's own hard/soft verdict is used where the text says nothing.
 * `knownReason`: what the provider's own category already established.
 */
export function bounceFields(
  text: string | null,
  providerSeverity: Severity | null,
  opts: { smtpCode?: string | null; knownReason?: FineReason | null } = {},
): BounceFields {
  const diagnostic = stripDiagnosticType(text);
  const smtpCode = opts.smtpCode ?? smtpCodeOf(diagnostic);
  const enhancedStatus = enhancedStatusOf(null, diagnostic);
  const c = classifyBounce({
    enhancedStatus,
    smtpCode,
    diagnostic,
    providerSeverity,
    knownReason: opts.knownReason ?? null,
  });
  return {
    reason: c.suppression,
    severity: c.severity,
    fineReason: c.fineReason,
    smtpCode,
    enhancedStatus,
    diagnostic,
  };
}

/**
 * A provider refused to send because the recipient is on its own suppression list. The list's
 * reason, where the text names one, is kept (an unsubscribe must not block receipts); a list
 * entry without a stated reason is taken as the hard bounce it usually is (as SES's
 * `OnAccountSuppressionList`).
 */
export function suppressedSendReason(text: string | null): Reason {
  const t = (text ?? '').toLowerCase();
  if (/unsubscri/.test(t)) return 'unsubscribe';
  if (/spam|complain|abuse/.test(t)) return 'spam_complaint';
  return 'hard_bounce';
}
