import type { FineReason, SmtpCommand } from '../../core/classify.js';
import { emailsIn } from '../text.js';
import type { Finding, FormatParser, MailView } from '../types.js';
import { listedAddresses, scanNotice, senderAddresses, splitOriginal } from './notice.js';

/**
 * Plain-text bounce notices of the MTAs that send no RFC 3464 part (Exim, qmail, Sendmail v5,
 * Yahoo, GMX/1&1, Zoho, mFILTER, Active!Hunter, MXLogic, InterScan, Domino, Exchange 2003, …).
 * A mail counts as a notice when its sender or subject is a mail system's, or its text opens
 * with one of their stock phrases; the recipients come from the generic notice reader.
 */
const SYSTEM_FROM =
  /mailer[-_ .]?daemon|postmaster|post_master|mail ?delivery|mail\.delivery|delivery ?(status|subsystem)|interscan|content-filter|administrator/i;
const BOUNCE_SUBJECT = new RegExp(
  [
    'undeliver',
    'undelivered',
    'returned mail',
    'return(ing)? (mail|message)',
    'delivery (status|failure|failed|notification|problem|has failed)',
    'failure notice',
    'mail delivery',
    'could not be delivered',
    'non[- ]?remis',
    'unzustellbar',
    'non recapitabile',
    'nondeliverable',
    'not delivered',
    'error sending',
    'mail failed',
    'failed mail',
    'delivery failure',
    'warning: message',
    'delayed mail',
    'message delayed',
    'notice: mail delivery',
    'could not send',
    'not accepted',
    'blocked by',
    'メール',
    '配信',
    'не доставлено',
    'недоставленное',
  ].join('|'),
  'i',
);
const NOTICE_PHRASES = new RegExp(
  [
    'this message was created automatically by mail delivery software',
    'could not be delivered to one or more',
    'delivery to the following recipient',
    'the following address(es)? (failed|had)',
    'did not reach the following recipient',
    'transcript of session follows',
    'we were unable to deliver your message',
    'hi\\. this is the qmail',
    'permanent fatal errors',
    'could not be delivered',
    'delivery has failed',
    'unable to deliver',
    'following addresses had',
    'returned permanent errors',
    'your message (could not|was not|has not been)',
    'delivery status notification',
    'undeliverable',
  ].join('|'),
  'i',
);

/**
 * A mail system's notice: sent by one (sender or subject) and saying what they say (a stock
 * phrase, an SMTP reply or an enhanced status code). Either alone is too weak: people write
 * to postmaster, and people forward bounces.
 */
/** Sentences only mail systems write: enough on their own. */
const STOCK_PHRASES = new RegExp(
  [
    'this message was created automatically by mail delivery software',
    'could not be delivered to:',
    'delivery to the following recipients? failed',
    'did not reach the following recipient',
    'transcript of session follows',
    'hi\\. this is the qmail',
    'permanent fatal errors',
    'the following addresses had (permanent|delivery|fatal)',
    "i'm sorry to have to inform you that your message could not",
  ].join('|'),
  'i',
);
const FAILURE_WORDS =
  /could not|couldn'?t|unable to|failed|failure|undeliver|not (be |been )?delivered|wasn'?t delivered|rejected|blocked|not listed|does not exist|may not exist|not available|unknown|did not reach|returned|problem|n'a pas pu|inconnue?\b|konnte nicht|nicht zugestellt|existiert nicht|no se (pudo|ha podido)|no existe|non (è|e') stat[oa]|sconosciut/i;

export function looksLikeNotice(mail: MailView): boolean {
  const head = mail.notice.slice(0, 5000);
  // A reply ("Re: Undelivered mail") is a person talking about a bounce, not the bounce.
  const fromSystem =
    SYSTEM_FROM.test(mail.from) ||
    (BOUNCE_SUBJECT.test(mail.subject) && !/^\s*re\s*:/i.test(mail.subject));
  const saysFailure =
    NOTICE_PHRASES.test(head) ||
    FAILURE_WORDS.test(head) ||
    /(^|\s)[45]\d\d[\s-]/m.test(head) ||
    /\b[45]\.\d{1,3}\.\d{1,3}\b/.test(head) ||
    mail.headers.has('x-failed-recipients');
  return (fromSystem && saysFailure) || STOCK_PHRASES.test(head);
}

/** A delay warning rather than a failure: the MTA keeps the message and retries. */
const DELAYED_SUBJECT =
  /\bdelay(ed)?\b|not yet been delivered|temporar(y|ily) (failure|problem)|warning: message/i;
const DELAYED_NOTICE =
  /will (continue|keep) (trying|to try)|still being retried|this is a warning message only/i;

export const parseGenericNotice: FormatParser = (mail) => {
  if (!looksLikeNotice(mail)) return null;
  const { notice, original } = splitOriginal(mail.notice);
  const orig = mail.original ?? original;
  const listed = listedAddresses(notice);
  const exclude = senderAddresses(mail, orig).filter((a) => !listed.has(a));
  let findings = preferRecipients(scanNotice(notice, { exclude }), mail);
  if (findings.length === 0) findings = envelopeRecipients(mail.notice, new Set(exclude));
  if (findings.length === 0) return null;
  const delayed = DELAYED_SUBJECT.test(mail.subject) || DELAYED_NOTICE.test(notice);
  // IMail quotes the remote answer once for all recipients, after this heading.
  const response = /body of message generated response:\s*([\s\S]*?)(\n\s*\n|$)/i
    .exec(notice)?.[1]
    ?.replace(/\s+/g, ' ')
    .trim();
  const transcript = [transcriptLines(notice), response].filter(Boolean).join(' ') || null;
  // mFILTER and others print the command on its own under a heading ("-------SMTP command\nDATA").
  // Only blanks and tabs before the heading: `\s` there would let every line start rescan
  // the blank lines that follow it (quadratic in a run of empty lines).
  const named = /^[-= \t]*smtp command[ \t]*:?[ \t]*\n[ \t\n]*(HELO|EHLO|MAIL|RCPT|DATA)\b/im
    .exec(notice)?.[1]
    ?.toUpperCase();
  const command = named ? (named as SmtpCommand) : null;
  // au (EZweb) marks mail its spam filter refused with "X-SPASIGN: NG".
  const spamFiltered = (mail.headers.get('x-spasign') ?? '').trim().toUpperCase() === 'NG';
  const known =
    SENDER_REASONS.find((r) => r.from.test(mail.from) && r.text.test(notice))?.reason ?? null;
  for (const f of findings) {
    if (delayed) f.action = 'delayed';
    if (command) f.command = command;
    if (spamFiltered) f.reason = 'filtered';
    else if (known) f.reason = known;
    else f.reason = exchangeReason(f.diagnostic) ?? f.reason ?? null;
    const d = f.diagnostic ?? '';
    // A recipient listed without its error: the transcript (or the single error line) explains it.
    if (transcript && !/\b[45]\d\d\b/.test(d) && findings.length === 1)
      f.diagnostic = `${d} ${transcript}`.trim();
  }
  return { kind: 'bounce', findings, original: orig };
};

/** Gateways whose one-line notices mean one thing (Verizon's SMS/MMS gateways: unknown number). */
const SENDER_REASONS: ReadonlyArray<{ from: RegExp; text: RegExp; reason: FineReason }> = [
  {
    from: /post_master@vtext\.com|sysadmin@[^>\s]*\.vzwpix\.com/i,
    text: /no such user here|no valid recipients/i,
    reason: 'userunknown',
  },
];

/** Exchange 2000/2003 MSEXCH diagnostic codes ("MSEXCH:IMS:… (000C05A6) Unknown Recipient"). */
const MSEXCH_CODES: Readonly<Record<string, FineReason>> = {
  '000C05A6': 'userunknown',
  '000C0595': 'filtered',
  '00010256': 'systemerror',
  '000D06B5': 'systemerror',
  '00120270': 'networkerror',
  '00050311': 'contenterror',
  '000502CC': 'contenterror',
  '000B0981': 'securityerror',
};

function exchangeReason(diagnostic: string | null | undefined): FineReason | null {
  const code = /MSEXCH:[^()]*\(([0-9A-F]{8})\)/i.exec(diagnostic ?? '')?.[1]?.toUpperCase();
  return code ? (MSEXCH_CODES[code] ?? null) : null;
}

const ROLE_ACCOUNT = /^(postmaster|mailer-daemon|abuse|hostmaster|webmaster|noc|root)@/i;

/**
 * When a notice yields several addresses, the mail system's role accounts ("contact
 * postmaster@…") and the bounce's own addressee (the original sender) are not among the failed
 * recipients; alone, they may be (a bounce of mail sent to postmaster).
 */
function preferRecipients(findings: Finding[], mail: MailView): Finding[] {
  if (findings.length < 2) return findings;
  const to = new Set(emailsIn(mail.headers.get('to') ?? '').map((a) => a.toLowerCase()));
  const kept = findings.filter(
    (f) => !ROLE_ACCOUNT.test(f.recipient) && !to.has(f.recipient.toLowerCase()),
  );
  return kept.length > 0 ? kept : findings;
}

/**
 * Apache James and Verizon's gateways list the envelope under "Message details:" (`RCPT TO:
 * a@b`), past the point where the original begins: the recipient when the notice names no other.
 */
function envelopeRecipients(text: string, exclude: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  for (const l of text.split('\n')) {
    const m =
      l.length <= 300
        ? /^\s{0,8}rcpt to:\s{0,4}<?([^\s<>@]{1,64}@[^\s<>@]{1,255})>?\s*$/i.exec(l)
        : null;
    const a = m?.[1]?.toLowerCase();
    if (a && !exclude.has(a) && !out.some((f) => f.recipient === a))
      out.push({ recipient: a, diagnostic: '' });
  }
  // The error is printed apart from the details ("Error message below:"): it holds for all.
  const replies = transcriptLines(text.slice(0, 20_000)) ?? '';
  for (const f of out) f.diagnostic = replies;
  return out;
}

/** The SMTP replies of a session transcript (`<<< 550 …`, `550 5.1.1 …`), joined. */
function transcriptLines(notice: string): string | null {
  const lines = notice
    .split('\n')
    .map((l) => l.trim())
    .filter(
      (l) => /^(<<<\s*|error:\s*)?[45]\d\d[\s-]/i.test(l) || /^>>>\s*(RCPT|MAIL|DATA)/i.test(l),
    );
  return lines.length > 0 ? lines.join(' ') : null;
}
