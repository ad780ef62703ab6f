import type { FineReason } from '../../core/classify.js';
import type { Reason } from '../../core/events.js';

/**
 * Mailjet's `error_related_to` / `error` pairs (spec B §7.3 table; rows "seen in the wild" come
 * from django-anymail). `side` says whose fault it is: `recipient` errors follow Mailjet's own
 * `hard_bounce` flag; `sender` errors (anti-spam, policy, Mailjet's system, duplicates) never
 * suppress the recipient. `blocked` is what a `blocked` event (Mailjet did not even try) means.
 */
export interface MailjetError {
  fineReason: FineReason;
  side: 'recipient' | 'sender';
  /** For a `blocked` event: the suppression Mailjet's refusal proves, if any. */
  blocked: Extract<Reason, 'hard_bounce' | 'spam_complaint'> | null;
}

const recipient = (
  fineReason: FineReason,
  blocked: MailjetError['blocked'] = 'hard_bounce',
): MailjetError => ({
  fineReason,
  side: 'recipient',
  blocked,
});
const sender = (fineReason: FineReason): MailjetError => ({
  fineReason,
  side: 'sender',
  blocked: null,
});

export const MAILJET_ERRORS: Readonly<Record<string, MailjetError>> = {
  'recipient/user unknown': recipient('userunknown'),
  'recipient/mailbox inactive': recipient('suspend'),
  'recipient/quota exceeded': recipient('mailboxfull', null),
  // On Mailjet's exclusion list, maybe after an unsubscribe: not said which, so no new suppression.
  'recipient/blacklisted': recipient('suppressed', null),
  'recipient/spam reporter': recipient('suppressed', 'spam_complaint'),
  'domain/invalid domain': recipient('hostunknown'),
  'domain/no mail host': recipient('hostunknown'),
  'domain/relay/access denied': sender('norelaying'),
  'domain/greylisted': recipient('onhold', null),
  'domain/typofix': recipient('hostunknown'),
  'spam/sender blocked': sender('blocked'),
  'spam/content blocked': sender('contenterror'),
  'spam/policy issue': sender('policyviolation'),
  'system/system issue': sender('systemerror'),
  'system/protocol issue': sender('systemerror'),
  'system/connection issue': sender('networkerror'),
  // "Address recently/repeatedly bounced — not attempted": Mailjet already holds it as bounced.
  'mailjet/preblocked': { fineReason: 'suppressed', side: 'recipient', blocked: 'hard_bounce' },
  'mailjet/duplicate in campaign': sender('rejected'),
};

/** The entry for a pair; the category alone decides for an error text not in the table. */
export function mailjetError(relatedTo: string | null, error: string | null): MailjetError | null {
  const key = `${(relatedTo ?? '').trim().toLowerCase()}/${(error ?? '').trim().toLowerCase()}`;
  if (Object.hasOwn(MAILJET_ERRORS, key)) return MAILJET_ERRORS[key] ?? null;
  const category = (relatedTo ?? '').trim().toLowerCase();
  if (['spam', 'system', 'mailjet'].includes(category)) return sender('undefined');
  return null;
}
