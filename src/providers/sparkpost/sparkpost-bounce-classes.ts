import { classifyBounce, type FineReason } from '../../core/classify.js';
import type { Reason, Severity } from '../../core/events.js';

/**
 * SparkPost's `bounce_class` (spec B §5.5, support-docs bounce-classification-codes) → what
 * Bouncer records. SparkPost's own advice: only hard and admin classes are suppression-level;
 * soft, block and undetermined are usually temporary.
 *
 * - `hard` (10, 30): the address is bad → hard_bounce.
 * - `soft` (20–24, 70, and any class not in the table, §5.5): a cool-down → soft_bounce.
 * - `text` (1 Undetermined, 40 Generic): SparkPost could not tell; the shared classifier reads
 *   the SMTP text (a `550 5.1.1 user unknown` is still hard), soft when it says nothing.
 * - `block` (50–54): the receiver refused the sender or content → recorded, no suppression.
 * - `admin` (25): SparkPost's own policy, since async suppressions mostly "already suppressed"
 *   (§5.5 nuance): the message was never attempted → `dropped`, no new suppression.
 * - `autoreply` (60 Auto-Reply, 100 Challenge-Response): the mailbox answered by itself, so it
 *   exists; a challenge waits for the sender to prove itself, which a cool-down would not help.
 *   Not a delivery failure → skipped, as Postmark's AutoResponder and ChallengeVerification.
 * - `unsubscribe` (90): the reply was an unsubscribe request → an unsubscribe.
 * - `subscribe` (80): a subscribe request, not a delivery failure → skipped.
 */
export type BounceVerdict =
  'hard' | 'soft' | 'text' | 'block' | 'admin' | 'autoreply' | 'unsubscribe' | 'subscribe';

export interface BounceClass {
  name: string;
  verdict: BounceVerdict;
  /** Sisimai's reason when the text names none. */
  fineReason: FineReason;
}

export const SPARKPOST_BOUNCE_CLASSES: Readonly<Record<string, BounceClass>> = {
  '1': { name: 'Undetermined', verdict: 'text', fineReason: 'undefined' },
  '10': { name: 'Invalid Recipient', verdict: 'hard', fineReason: 'userunknown' },
  '20': { name: 'Soft Bounce', verdict: 'soft', fineReason: 'undefined' },
  '21': { name: 'DNS Failure', verdict: 'soft', fineReason: 'networkerror' },
  '22': { name: 'Mailbox Full', verdict: 'soft', fineReason: 'mailboxfull' },
  '23': { name: 'Too Large', verdict: 'soft', fineReason: 'emailtoolarge' },
  '24': { name: 'Timeout', verdict: 'soft', fineReason: 'expired' },
  '25': { name: 'Admin Failure', verdict: 'admin', fineReason: 'policyviolation' },
  '30': { name: 'Generic Bounce: No RCPT', verdict: 'hard', fineReason: 'userunknown' },
  '40': { name: 'Generic Bounce', verdict: 'text', fineReason: 'undefined' },
  '50': { name: 'Mail Block', verdict: 'block', fineReason: 'blocked' },
  '51': { name: 'Spam Block', verdict: 'block', fineReason: 'blocked' },
  '52': { name: 'Spam Content', verdict: 'block', fineReason: 'spamdetected' },
  '53': { name: 'Prohibited Attachment', verdict: 'block', fineReason: 'contenterror' },
  '54': { name: 'Relaying Denied', verdict: 'block', fineReason: 'norelaying' },
  '60': { name: 'Auto-Reply', verdict: 'autoreply', fineReason: 'vacation' },
  '70': { name: 'Transient Failure', verdict: 'soft', fineReason: 'undefined' },
  '80': { name: 'Subscribe', verdict: 'subscribe', fineReason: 'undefined' },
  '90': { name: 'Unsubscribe', verdict: 'unsubscribe', fineReason: 'undefined' },
  '100': { name: 'Challenge-Response', verdict: 'autoreply', fineReason: 'onhold' },
};

const UNKNOWN_CLASS: BounceClass = { name: 'Unknown', verdict: 'soft', fineReason: 'undefined' };

export function bounceClassOf(code: string | null): BounceClass {
  return code !== null && Object.hasOwn(SPARKPOST_BOUNCE_CLASSES, code)
    ? (SPARKPOST_BOUNCE_CLASSES[code] ?? UNKNOWN_CLASS)
    : UNKNOWN_CLASS;
}

export interface BounceOutcome {
  reason: Extract<Reason, 'hard_bounce' | 'soft_bounce'> | null;
  severity: Severity;
  fineReason: FineReason;
}

/** Reason, severity and fine reason of a `bounce`/`out_of_band` whose class records a failure. */
export function classifySparkpostBounce(
  cls: BounceClass,
  text: { diagnostic: string | null; enhancedStatus: string | null; smtpCode: string | null },
): BounceOutcome {
  const read = classifyBounce({
    diagnostic: text.diagnostic,
    enhancedStatus: text.enhancedStatus,
    smtpCode: text.smtpCode,
    providerSeverity: cls.verdict === 'hard' ? 'hard' : cls.verdict === 'text' ? null : 'soft',
  });
  const textSaysNothing = read.fineReason === 'undefined' || read.fineReason === 'onhold';
  switch (cls.verdict) {
    case 'hard':
      return {
        reason: 'hard_bounce',
        severity: 'hard',
        fineReason:
          read.suppression === 'hard_bounce' && !textSaysNothing ? read.fineReason : cls.fineReason,
      };
    case 'text':
      return { reason: read.suppression, severity: read.severity, fineReason: read.fineReason };
    case 'block':
      return {
        reason: null,
        severity: 'soft',
        fineReason:
          !textSaysNothing && read.suppression === null ? read.fineReason : cls.fineReason,
      };
    case 'autoreply':
      return { reason: null, severity: 'soft', fineReason: cls.fineReason };
    default:
      // Soft classes: the class is the verdict; a specific soft reason in the text is kept.
      return {
        reason: 'soft_bounce',
        severity: 'soft',
        fineReason:
          cls.fineReason === 'undefined' && read.suppression === 'soft_bounce' && !textSaysNothing
            ? read.fineReason
            : cls.fineReason,
      };
  }
}
