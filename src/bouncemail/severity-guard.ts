import { RECIPIENT_DOES_NOT_EXIST } from '../core/classify-hints.js';
import type { FineReason, SmtpCommand } from '../core/classify.js';

const RECIPIENT_FAULTS: ReadonlySet<FineReason> = new Set([
  'userunknown',
  'hostunknown',
  'hasmoved',
]);

/** Words a recipient lookup produces; bounded, no nested quantifiers (linear on any input). */
const SAYS_NO_SUCH_RECIPIENT =
  /\b(?:user unknown|unknown (?:user|recipient|mailbox)|no such (?:user|mailbox|recipient)|(?:mailbox|user|address|account|recipient) (?:does not|doesn'?t) exist)\b/;

/** A resolver that could not answer now, not a name that does not exist (RFC 2308 SERVFAIL). */
const TRANSIENT_DNS =
  /\b(?:(?:host|name|domain) not found[,;:]? try again|try again later|temporar(?:y|ily)|timed? ?out|time-?out|servfail|name server (?:failure|timeout|error)|dns (?:failure|error|timeout))\b/;

export interface GuardInput {
  status: string | null;
  smtpCode: string | null;
  diagnostic: string | null;
  command: SmtpCommand | null | undefined;
}

/**
 * A soft failure read as hard suppresses a good address for ever, so a reason that would
 * suppress the recipient needs evidence that survives the mail's own context:
 * - a refusal of MAIL FROM is about the sender, whatever words it uses ("no such user" there
 *   names the envelope sender);
 * - "host not found, try again" is a resolver failure (networkerror), not an unknown host;
 * - a 4xx reply or 4.x.x status is temporary (RFC 5321 §4.2.1, RFC 3463 §3.1) unless the text
 *   says in a recipient lookup's words that the address does not exist (Postfix's
 *   `450 4.1.1 … User unknown in local recipient table` with soft_bounce on).
 */
export function guardRecipientFault(reason: FineReason, g: GuardInput): FineReason {
  if (!RECIPIENT_FAULTS.has(reason)) return reason;
  const text = (g.diagnostic ?? '').toLowerCase().slice(0, 4_000);
  if (g.command === 'MAIL') return 'rejected';
  if (reason === 'hostunknown' && TRANSIENT_DNS.test(text)) return 'networkerror';
  const temporary = g.status ? g.status.startsWith('4') : /^4\d\d$/.test(g.smtpCode ?? '');
  if (!temporary) return reason;
  if (
    reason === 'userunknown' &&
    (SAYS_NO_SUCH_RECIPIENT.test(text) || RECIPIENT_DOES_NOT_EXIST.test(text))
  )
    return reason;
  return 'onhold';
}
