import { createHash } from 'node:crypto';
import { parseArf } from './arf.js';
import { parseAutoReply } from './autoreply.js';
import { SPECIFIC_FORMATS, TEXT_FORMATS } from './formats/index.js';
import { parseRfc3464 } from './formats/rfc3464.js';
import { parseEntity, toBinaryLf } from './mime.js';
import { looksLikeNotice } from './formats/generic.js';
import { listedAddresses, senderAddresses, splitOriginal } from './formats/notice.js';
import { finalise, recipientAddress, type BounceMailRecipient } from './recipient.js';
import type { Finding, FormatParser, FormatResult, MailView } from './types.js';
import { emailsIn } from './text.js';
import { recipientFromVerp } from './verp.js';
import { viewOf } from './view.js';

export interface ParsedBounceMail {
  kind: 'bounce' | 'complaint' | 'autoreply' | 'none';
  recipients: BounceMailRecipient[];
  /** Message-ID of the report itself. */
  messageId: string | null;
  /** SHA-256 of the message with line ends normalised: the dedup key when there is no Message-ID. */
  rawHash: string;
}

export interface ParseMailOptions {
  /** VERP return-path pattern, e.g. `bounces+{local}={domain}@example.com`. */
  verp?: string;
}

/**
 * Order matters: complaints first (an ARF report is also a multipart/report), then the
 * MTA-specific text formats (they know their own quirks better than the generic reader), then
 * RFC 3464, then auto-replies.
 */
const PIPELINE: readonly FormatParser[] = [
  parseArf,
  ...SPECIFIC_FORMATS,
  parseRfc3464,
  ...TEXT_FORMATS,
  parseAutoReply,
];

/**
 * The report's own addresses (its From, Reply-To, Sender, To: the original's envelope sender)
 * and the returned original's sender are never a bounced recipient of a text reader, whatever
 * it made of a salutation or "a message sent by <sender>"; the next reader gets its chance.
 * Structured fields (RFC 3464 Final-Recipient, ARF, SES JSON) name the recipient outright and
 * are kept, as are the original's own addressees and X-Failed-Recipients: people test with
 * mail to themselves. Auto-replies are exempt: there the replying person is the recipient.
 */
const STRUCTURED: ReadonlySet<FormatParser> = new Set([
  parseArf,
  ...SPECIFIC_FORMATS,
  parseRfc3464,
]);

function withoutSenders(mail: MailView, parser: FormatParser, result: FormatResult): Finding[] {
  if (result.kind !== 'bounce' || STRUCTURED.has(parser)) return result.findings;
  const named = new Set([
    ...emailsIn(mail.headers.get('x-failed-recipients') ?? '').map((a) => a.toLowerCase()),
    ...listedAddresses(mail.notice),
  ]);
  const senders = new Set(
    senderAddresses(mail, result.original ?? mail.original).filter((a) => !named.has(a)),
  );
  return result.findings.filter((f) => !senders.has(recipientAddress(f.recipient) ?? ''));
}

/** Findings whose address no mail system could use go, so the next reader gets its chance. */
function usable(findings: Finding[]): Finding[] {
  return findings.filter((f) => recipientAddress(f.recipient) !== null);
}

/**
 * A report forwarded as an attachment (someone's "Fwd:" of a bounce): the outer mail matched no
 * format, so the attached message is read as the report, one level deep only.
 */
function forwardedReport(mail: MailView): FormatResult | null {
  const inner = mail.original;
  if (!inner || inner.type === 'text/rfc822-headers') return null;
  const view = viewOf(inner);
  const result = run(view);
  return result ? { ...result, original: result.original ?? view.original } : null;
}

function run(mail: MailView): FormatResult | null {
  for (const parser of PIPELINE) {
    const result = parser(mail);
    if (!result) continue;
    const findings = usable(withoutSenders(mail, parser, result));
    if (findings.length > 0) return { ...result, findings };
  }
  return null;
}

export function parseBounceMail(raw: Buffer, opts: ParseMailOptions = {}): ParsedBounceMail {
  const binary = toBinaryLf(raw);
  const mail = viewOf(parseEntity(binary));
  const messageId = (mail.headers.get('message-id') ?? '').replace(/^<|>$/g, '').trim() || null;
  const rawHash = createHash('sha256').update(binary, 'latin1').digest('hex');
  // A forwarded standard report is read first: the forward's own text only quotes it.
  const forwarded =
    mail.entity.type !== 'multipart/report' && mail.original?.type === 'multipart/report';
  let result = forwarded
    ? (forwardedReport(mail) ?? run(mail))
    : (run(mail) ?? forwardedReport(mail));
  if (opts.verp) result = withVerp(result, mail, opts.verp);
  if (!result) return { kind: 'none', recipients: [], messageId, rawHash };
  const original = result.original ?? mail.original;
  const ctx = { kind: result.kind, original, mailDate: mail.headers.get('date') };
  const seen = new Set<string>();
  const recipients: BounceMailRecipient[] = [];
  for (const f of result.findings) {
    const r = finalise(f, ctx);
    if (!r || seen.has(r.recipient)) continue;
    seen.add(r.recipient);
    recipients.push(r);
  }
  return { kind: recipients.length > 0 ? result.kind : 'none', recipients, messageId, rawHash };
}

/**
 * A report that names no usable recipient gets it from the VERP address it was sent to; a mail
 * that looks like a bounce notice but matched no format becomes one finding with its text.
 */
function withVerp(
  result: FormatResult | null,
  mail: MailView,
  pattern: string,
): FormatResult | null {
  if (result && result.findings.some((f) => recipientAddress(f.recipient))) return result;
  if (!result && !looksLikeNotice(mail)) return null;
  const h = mail.headers;
  const rcpt = recipientFromVerp(pattern, [
    h.get('to'),
    h.get('delivered-to'),
    h.get('x-original-to'),
    h.get('return-path'),
  ]);
  if (!rcpt) return result;
  const template = result?.findings[0] ?? {
    diagnostic: splitOriginal(mail.notice).notice.slice(0, 1_000),
  };
  return { kind: result?.kind ?? 'bounce', findings: [{ ...template, recipient: rcpt }] };
}
