import type { Reason, Severity } from './events.js';
import {
  providerReason,
  RECIPIENT_DOES_NOT_EXIST,
  RECIPIENT_PROBABLY_UNKNOWN,
} from './classify-hints.js';
import { FIRST_PASS, SECOND_PASS, STATUS_REASON, TEXT, WEAK_REASONS } from './classify-patterns.js';

/**
 * The one classifier of delivery failures, shared by every webhook adapter and the bounce-mail
 * parser: from an enhanced status (RFC 3463), an SMTP reply code and the diagnostic text to
 * Sisimai's fine reason, a severity, and the suppression reason it argues for.
 *
 * The decision follows Sisimai's design: a status code that names a specific reason is checked
 * together with the text, reason by reason in a fixed order; when the status says little
 * (x.0.0, 5.7.1…) the text decides; the SMTP command the failure answered tells "user unknown at
 * RCPT" (the address) from "user unknown after DATA" (a content filter) and rejections of the
 * sender (MAIL FROM) from rejections of the recipient.
 */
export const FINE_REASONS = [
  'authfailure',
  'badreputation',
  'blocked',
  'contenterror',
  'delivered',
  'emailtoolarge',
  'expired',
  'failedstarttls',
  'feedback',
  'filtered',
  'hasmoved',
  'hostunknown',
  'mailboxfull',
  'mailererror',
  'networkerror',
  'norelaying',
  'notaccept',
  'notcompliantrfc',
  'onhold',
  'policyviolation',
  'ratelimited',
  'rejected',
  'requireptr',
  'securityerror',
  'spamdetected',
  'suppressed',
  'suspend',
  'syntaxerror',
  'systemerror',
  'systemfull',
  'undefined',
  'userunknown',
  'vacation',
  'virusdetected',
] as const;
export type FineReason = (typeof FINE_REASONS)[number];

export const SMTP_COMMANDS = [
  'CONN',
  'HELO',
  'EHLO',
  'STARTTLS',
  'AUTH',
  'MAIL',
  'RCPT',
  'DATA',
  'BDAT',
] as const;
export type SmtpCommand = (typeof SMTP_COMMANDS)[number];

export interface BounceSignal {
  enhancedStatus?: string | null | undefined;
  smtpCode?: string | null | undefined;
  diagnostic?: string | null | undefined;
  /** What the provider itself said (`Permanent`, `hard`…), used when the text says nothing. */
  providerSeverity?: Severity | null | undefined;
  /**
   * The SMTP command the failure answered. `undefined`: the caller has no SMTP context (a
   * provider's webhook), so a "user unknown" text is taken as an answer to RCPT TO. `null`: a
   * bounce mail that does not say, where Sisimai's rule applies (a user-unknown text without a
   * command may be a content filter after DATA → `filtered`). Either way the text is read first.
   */
  smtpCommand?: SmtpCommand | null | undefined;
  /** RFC 3464 Action (`failed`, `delayed`…), when known. */
  action?: string | null | undefined;
  /** RFC 3464 diagnostic type (`SMTP`, `X-UNIX`…); a local mailer's message is not an SMTP reply. */
  diagnosticType?: string | null | undefined;
  /** Domain of the failed recipient: some providers' answers mean different things. */
  recipientDomain?: string | null | undefined;
  /** Host names of the remote MTA that answered and of the one that reported (RFC 3464). */
  remoteHost?: string | null | undefined;
  reportingHost?: string | null | undefined;
  /** A reason the caller already established from a format it recognised (e.g. a provider table). */
  knownReason?: FineReason | null | undefined;
}

export interface BounceClassification {
  fineReason: FineReason;
  severity: Severity;
  /** `hard_bounce`, `soft_bounce`, or null when the failure is the sender's problem. */
  suppression: Extract<Reason, 'hard_bounce' | 'soft_bounce'> | null;
}

/** Reasons that are always a permanent fault of the recipient address. */
const ALWAYS_HARD: ReadonlySet<FineReason> = new Set(['userunknown', 'hostunknown', 'hasmoved']);
/** Failures caused by the sender (reputation, content, authentication, rate): never suppress the recipient. */
const SENDER_SIDE: ReadonlySet<FineReason> = new Set([
  'authfailure',
  'badreputation',
  'blocked',
  'contenterror',
  'emailtoolarge',
  'failedstarttls',
  'norelaying',
  'notcompliantrfc',
  'policyviolation',
  'ratelimited',
  'rejected',
  'requireptr',
  'securityerror',
  'spamdetected',
  'syntaxerror',
  'virusdetected',
  'suppressed',
]);
const NOT_FAILURES: ReadonlySet<FineReason> = new Set(['delivered', 'feedback', 'vacation']);
const BEFORE_DATA: ReadonlySet<string> = new Set([
  'CONN',
  'HELO',
  'EHLO',
  'STARTTLS',
  'AUTH',
  'MAIL',
  'RCPT',
]);

/** `5.1.1` out of a status field; x.0.9xx codes are Sisimai's inventions, not statuses. */
export function normaliseStatus(status: string | null | undefined): string | null {
  const m = status ? /\b([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(status) : null;
  return m ? `${m[1]}.${Number(m[2])}.${Number(m[3])}` : null;
}

/** The reason an enhanced status code names on its own ('' when it names none). */
export function statusReason(status: string | null | undefined): FineReason | '' {
  const code = normaliseStatus(status);
  if (!code) return '';
  if (code.startsWith('2.')) return 'delivered';
  const known = STATUS_REASON[code];
  if (known) return known;
  const m = /^5\.7\.(\d+)$/.exec(code);
  return m && Number(m[1]) <= 19 ? 'securityerror' : '';
}

/** The SMTP command a diagnostic text says the failure answered. */
export function commandOf(text: string): SmtpCommand | null {
  const t = text.toUpperCase();
  const m =
    /(?:AFTER|IN REPLY TO|RESPONSE TO|REJECTED AT|FAILED AT)\s+(?:THE\s+)?(?:END OF\s+)?(HELO|EHLO|STARTTLS|AUTH|MAIL FROM|RCPT TO|DATA|BDAT|MAIL(?= COMMAND)|RCPT(?= COMMAND))\b/.exec(
      t,
    ) ??
    /^>>>\s*(HELO|EHLO|STARTTLS|AUTH|MAIL FROM|RCPT TO|DATA|BDAT)\b/m.exec(t) ??
    /\bSMTP:(RCPT|MAIL|DATA)\b/.exec(t) ??
    /\b(MAIL FROM|RCPT TO):?\s*</.exec(t);
  if (m) {
    const word = (m[1] ?? '').split(' ')[0] as SmtpCommand;
    if (/END OF\s+$/.test(t.slice(0, m.index + m[0].length - (m[1] ?? '').length))) return 'DATA';
    return word;
  }
  if (/\bEND OF DATA\b/.test(t)) return 'DATA';
  // qmail-remote's own sentences (qmail-remote.c): which step of the session failed.
  if (/DOES NOT LIKE RECIPIENT/.test(t)) return 'RCPT';
  if (/DOES NOT LIKE SENDER|BUT SENDER WAS REJECTED/.test(t)) return 'MAIL';
  if (/FAILED AFTER I SENT THE MESSAGE|FAILED ON DATA COMMAND/.test(t)) return 'DATA';
  if (/BUT MY NAME WAS REJECTED/.test(t)) return 'EHLO';
  if (/BUT GREETING FAILED/.test(t)) return 'CONN';
  // Postfix: "host mx.example.jp[192.0.2.1] refused to talk to me: 554 …" is the greeting/HELO.
  if (/REFUSED TO TALK TO ME/.test(t)) return 'HELO';
  // 1&1: "SMTP error from remote server for TEXT command" (the message text, after DATA).
  if (/FOR TEXT COMMAND/.test(t)) return 'DATA';
  // DragonFly Mail Agent: "mx.example.jp [192.0.2.25] did not like our RCPT TO:".
  const dma = /DID NOT LIKE OUR (RCPT|MAIL|DATA|EHLO|HELO)/.exec(t)?.[1];
  if (dma) return dma as SmtpCommand;
  if (/INITIAL CONNECTION|AFTER CONNECT|GREETING|BANNER/.test(t)) return 'CONN';
  return null;
}

export function matchesReason(reason: FineReason, text: string): boolean {
  const re = TEXT[reason];
  return re ? re.test(text) : false;
}

interface Ctx {
  text: string;
  status: FineReason | '';
  command: SmtpCommand | null;
  hasStatus: boolean;
  temporary: boolean;
  smtpCode: string | null;
  /** The signal comes from a bounce mail (smtpCommand given, possibly null). */
  mailContext: boolean;
}

/** Sisimai's per-reason "is it this one?" checks for the first pass. */
function probe(reason: FineReason, c: Ctx): boolean {
  const { text, status, command } = c;
  if (status === 'suspend' && (reason === 'userunknown' || reason === 'filtered')) return false;
  switch (reason) {
    case 'userunknown':
      if (status === 'userunknown') {
        return !(
          [
            'norelaying',
            'blocked',
            'mailboxfull',
            'hasmoved',
            'rejected',
            'notaccept',
            'filtered',
          ] as const
        ).some((r) => matchesReason(r, text));
      }
      // Words only a recipient lookup produces settle it whatever the phase the MTA reports.
      if (status !== 'filtered' && RECIPIENT_DOES_NOT_EXIST.test(text)) return true;
      if (status !== 'filtered' && command === null && RECIPIENT_PROBABLY_UNKNOWN.test(text))
        return true;
      if (command === null && !c.mailContext) return matchesReason('userunknown', text);
      return command === 'RCPT' && matchesReason('userunknown', text);
    case 'filtered':
      if (status === 'filtered')
        return matchesReason('userunknown', text) || matchesReason('filtered', text);
      if (command && BEFORE_DATA.has(command)) return false;
      return matchesReason('filtered', text) || matchesReason('userunknown', text);
    case 'rejected':
      if (status === 'rejected') return true;
      // "Sender rejected" under a recipient code (5.1.0) is still about the sender.
      if (status === 'userunknown' && /\bsender (address )?(was )?rejected\b/.test(text))
        return true;
      if (command === 'MAIL') return matchesReason('rejected', text);
      if (command === 'DATA' && status !== 'userunknown') return matchesReason('rejected', text);
      if (
        status === '' ||
        status === 'onhold' ||
        status === 'securityerror' ||
        status === 'systemerror'
      )
        return matchesReason('rejected', text);
      return false;
    case 'spamdetected':
      if (status === 'spamdetected') return true;
      if (!c.hasStatus || (command && BEFORE_DATA.has(command))) return false;
      return matchesReason('spamdetected', text);
    case 'hostunknown':
      if (c.temporary) return false;
      if (status === 'hostunknown')
        return !matchesReason('networkerror', text) || matchesReason('hostunknown', text);
      return matchesReason('hostunknown', text);
    case 'policyviolation':
      // Text-only: checked in the second pass, never confirmed by a status alone.
      return false;
    case 'contenterror':
      // "5.6.0 … scored as spam" is spam, whatever the content status says.
      if (probe('spamdetected', c)) return false;
      return status === 'contenterror' || matchesReason('contenterror', text);
    default:
      return status === reason || matchesReason(reason, text);
  }
}

function anotherOne(c: Ctx, action: string | null, diagType: string): FineReason | '' {
  const weak = c.status === '' || WEAK_REASONS.has(c.status) || diagType !== 'SMTP';
  if (!weak) return c.status;
  for (const r of SECOND_PASS) if (matchesReason(r, c.text)) return r;
  if (c.status !== '') return c.status;
  if (diagType.startsWith('X-UNIX')) return 'mailererror';
  if (matchesReason('syntaxerror', c.text) || /^50[0-4]$/.test(c.smtpCode ?? ''))
    return 'syntaxerror';
  if (action === 'delayed' || action === 'expired') return 'expired';
  if (c.command === 'HELO' || c.command === 'EHLO') return 'blocked';
  return '';
}

const MAX_CLASSIFIED_CHARS = 2_000;

/** The fine reason a status and text point to, or null when neither says anything. */
export function fineReasonOf(signal: BounceSignal): FineReason | null {
  const known = signal.knownReason;
  if (known && !WEAK_REASONS.has(known)) return known;
  // The reason is in the first lines of a reply; reading only those bounds every pattern's
  // cost, whatever a provider puts in the field.
  const text = (signal.diagnostic ?? '')
    .slice(0, MAX_CLASSIFIED_CHARS)
    .toLowerCase()
    .replace(/\s+/g, ' ');
  const status = statusReason(signal.enhancedStatus);
  if (status === 'delivered') return 'delivered';
  const provider = providerReason(text, normaliseStatus(signal.enhancedStatus), [
    signal.recipientDomain ?? null,
    signal.remoteHost ?? null,
    signal.reportingHost ?? null,
  ]);
  if (provider) return provider;
  const action = signal.action?.toLowerCase() ?? null;
  const code = normaliseStatus(signal.enhancedStatus);
  const smtpCode = signal.smtpCode?.trim() ?? null;
  const c: Ctx = {
    text,
    status,
    command: signal.smtpCommand ?? commandOf(text),
    hasStatus: code !== null,
    temporary: code ? code.startsWith('4') : /^4\d\d$/.test(smtpCode ?? ''),
    smtpCode,
    mailContext: signal.smtpCommand !== undefined,
  };
  if (known) c.status = known;
  // Only a local mailer's message (X-UNIX) is not an SMTP-like reply; MTAs label their own
  // texts X-Postfix, X-Notes… and those read like SMTP replies.
  const diagType = /^X-UNIX/i.test(signal.diagnosticType ?? '') ? 'X-UNIX' : 'SMTP';
  if (diagType === 'SMTP') for (const r of FIRST_PASS) if (probe(r, c)) return r;
  const other = anotherOne(c, action, diagType);
  if (other) return other;
  if (action === 'delayed') return 'expired';
  if (matchesReason('vacation', text)) return 'vacation';
  return text !== '' ? 'onhold' : null;
}

export function isPermanent(
  signal: Pick<BounceSignal, 'enhancedStatus' | 'smtpCode'>,
): boolean | null {
  const status = normaliseStatus(signal.enhancedStatus);
  if (status) return status.startsWith('5');
  const code = signal.smtpCode?.trim();
  if (code && /^[45]\d\d$/.test(code)) return code.startsWith('5');
  return null;
}

export function classifyBounce(signal: BounceSignal): BounceClassification {
  const fine = fineReasonOf(signal) ?? 'undefined';
  return classificationOf(fine, isPermanent(signal), signal.providerSeverity);
}

/**
 * Severity and suppression for a fine reason already decided: recipient faults are hard,
 * sender-side failures suppress nothing, the rest are soft. `permanent` is the status/reply
 * class (null when unknown); `providerSeverity` is used only when the reason says nothing.
 */
export function classificationOf(
  fine: FineReason,
  permanent: boolean | null,
  providerSeverity?: Severity | null,
): BounceClassification {
  if (NOT_FAILURES.has(fine)) return { fineReason: fine, severity: 'soft', suppression: null };
  if (ALWAYS_HARD.has(fine))
    return { fineReason: fine, severity: 'hard', suppression: 'hard_bounce' };
  if (SENDER_SIDE.has(fine)) return { fineReason: fine, severity: 'soft', suppression: null };
  if (fine === 'notaccept' && permanent !== false)
    return { fineReason: fine, severity: 'hard', suppression: 'hard_bounce' };
  if (fine === 'undefined' || fine === 'onhold') {
    // Nothing in the text: trust the provider's own verdict, else count it as a soft failure.
    if (providerSeverity === 'hard')
      return { fineReason: fine, severity: 'hard', suppression: 'hard_bounce' };
    const severity: Severity =
      providerSeverity === 'soft' || permanent === false ? 'soft' : 'undetermined';
    return { fineReason: fine, severity, suppression: 'soft_bounce' };
  }
  return { fineReason: fine, severity: 'soft', suppression: 'soft_bounce' };
}
