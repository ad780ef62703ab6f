import { commandOf } from '../../core/classify.js';
import { recipientAddress } from '../recipient.js';
import { parseDeliveryStatus, type DsnRecipientFields } from '../dsn.js';
import { collapse, firstEmail, linesAbout, replyCodeIn, statusIn } from '../text.js';
import type { Finding, FormatParser, MailView } from '../types.js';

/**
 * RFC 3464 delivery status notifications: the message/delivery-status part(s), or the same
 * fields written into a text part by MTAs that do not build a multipart/report.
 */
const DSN_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);

function dsnTexts(mail: MailView): string[] {
  const parts = mail.leaves.filter((l) => DSN_TYPES.has(l.type)).map((l) => l.text);
  if (parts.length > 0) return parts;
  // Embedded fields: a text part that carries both a recipient field and an Action/Status line.
  return mail.leaves
    .filter(
      (l) =>
        l.type.startsWith('text/plain') &&
        /^(final|original)-recipient\s*:/im.test(l.text) &&
        /^(action|status)\s*:/im.test(l.text),
    )
    .map((l) => l.text);
}

export function findingFromDsn(
  r: DsnRecipientFields,
  mail: MailView,
  arrivalDate: string | null,
): Finding | null {
  const recipient = pickRecipient(r);
  if (!recipient) return null;
  let diagnostic = r.diagnostic ? collapse(r.diagnostic) : null;
  const around = linesAbout(mail.notice, recipient, 8);
  if (!diagnostic && around) diagnostic = around;
  // Postfix's notice often carries the whole reply ("host X said: 550 5.1.1 … (in reply to RCPT TO
  // command)") where the Diagnostic-Code has a truncated one: prefer the notice when it contains it.
  const postfixStyle = around !== null && /^<[^>]+>(:| \(expanded from)/.test(around);
  const noticeBlock =
    postfixStyle && around
      ? collapse(around.replace(/^<[^>]*>(\s*\(expanded from [^)]*\))?:\s*/, ''))
      : null;
  const saysCode =
    noticeBlock !== null && (statusIn(noticeBlock) !== null || replyCodeIn(noticeBlock) !== null);
  if (
    diagnostic &&
    noticeBlock &&
    saysCode &&
    noticeBlock.length > diagnostic.length &&
    noticeBlock.includes(diagnostic.slice(0, 40))
  )
    diagnostic = noticeBlock;
  const inReplyTo = /\(in reply to [^)]*\)/i.exec(around ?? '')?.[0];
  if (diagnostic && inReplyTo && !/in reply to/i.test(diagnostic))
    diagnostic = `${diagnostic} ${inReplyTo}`;
  // Sendmail puts the remote server's answer in the session transcript only.
  if (!r.diagnostic) {
    const transcript = transcriptFor(mail.notice, recipient);
    if (transcript) diagnostic = `${diagnostic ?? ''} ${transcript}`.trim();
  }
  const command = commandOf(diagnostic ?? '') ?? commandOf(around ?? '');
  return {
    recipient,
    action: r.action,
    status: r.status,
    diagnostic,
    diagnosticType: r.diagnosticType,
    remoteMta: r.remoteMta,
    command,
    date: r.lastAttemptDate ?? arrivalDate,
  };
}

/**
 * The transcript lines about one recipient: with several `>>> RCPT To:<a>` in the session, only
 * the replies after this recipient's command (up to the next command) and the summary lines that
 * name it, so one recipient's failure does not bleed into the next one's.
 */
function transcriptFor(notice: string, recipient: string): string | null {
  const lines = notice.split('\n', 2_000).map((l) => l.trim().slice(0, 1_000));
  const rcpts = lines.filter((l) => /^>>>\s*rcpt to:/i.test(l));
  if (rcpts.length < 2) return transcriptOf(notice);
  const who = recipient.toLowerCase();
  const own: string[] = [];
  let mine = false;
  for (const l of lines) {
    if (/^>>>/.test(l)) {
      mine = l.toLowerCase().includes(who);
      if (mine) own.push(l);
      continue;
    }
    if (mine && /^(<<<\s*)?[45]\d\d[\s-]/.test(l)) own.push(l);
    else if (/^[45]\d\d[\s-]/.test(l) && l.toLowerCase().includes(who)) own.push(l);
  }
  return own.length > 0 ? [...new Set(own)].join(' ') : null;
}

/** The SMTP replies and error lines of a session transcript, joined. */
export function transcriptOf(notice: string): string | null {
  const all = notice.split('\n').map((l) => l.trim());
  // Sendmail: everything in the "Transcript of session follows" section.
  const at = all.findIndex((l) => /transcript of session follows/i.test(l));
  if (at !== -1) {
    const section: string[] = [];
    for (const l of all.slice(at + 1)) {
      if (/^-{3,}/.test(l) || /^(reporting-mta|final-recipient|original-recipient):/i.test(l))
        break;
      if (l !== '') section.push(l);
    }
    if (section.length > 0) return section.join(' ');
  }
  const lines = all.filter(
    (l) => /^(<<<\s*)?[45]\d\d[\s-]/.test(l) || /^>>>\s*(RCPT|MAIL|DATA|EHLO|HELO)/i.test(l),
  );
  return lines.length > 0 ? lines.join(' ') : null;
}

function pickRecipient(r: DsnRecipientFields): string | null {
  const clean = (v: string | null): string | null => {
    if (!v) return null;
    const m = /<([^>]*@[^>]*)>/.exec(v);
    const s = (m ? m[1] : v.split(/\s/)[0]) ?? '';
    // Exim writes pipe and file deliveries here (`|/usr/bin/x user@host`): take the address in it.
    return s.includes('@') ? s.replace(/^["']|["'.,;]$/g, '') : firstEmail(v);
  };
  // An unusable Final-Recipient (`rfc822; alias@`, a bare local part) falls back to the
  // Original-Recipient, then to the text (the next readers).
  const usable = (v: string | null): string | null => {
    const c = clean(v);
    return c !== null && recipientAddress(c) !== null ? c : null;
  };
  return usable(r.finalRecipient) ?? usable(r.originalRecipient);
}

export const parseRfc3464: FormatParser = (mail) => {
  const texts = dsnTexts(mail);
  if (texts.length === 0) return null;
  const findings: Finding[] = [];
  for (const t of texts) {
    const report = parseDeliveryStatus(t);
    for (const r of report.recipients) {
      const f = findingFromDsn(r, mail, report.arrivalDate);
      if (f) findings.push({ ...f, reportingMta: report.reportingMta });
    }
  }
  if (findings.length === 0) return null;
  applySessionTranscript(findings, mail.notice);
  applyNoticeStorageFull(findings, mail.notice);
  return { kind: 'bounce', findings };
};

/** A full mailbox or disk in the notice's own words; bounded alternatives, linear. */
const STORAGE_FULL =
  /\b(?:not enough (?:disk|storage) space|insufficient (?:disk|storage) space|mailbox (?:is )?full|quota exceeded)\b/i;

/**
 * Some MTAs put the real cause in the human-readable part and fill the DSN with a stock
 * 5.1.1 ("Your message to <x> was automatically rejected: Not enough disk space"). A full
 * mailbox is temporary: for a single recipient, the notice's words win over the stock code, as
 * a good address wrongly suppressed for ever costs more than a retry.
 */
function applyNoticeStorageFull(findings: Finding[], notice: string): void {
  const only = findings[0];
  if (findings.length !== 1 || !only || only.reason) return;
  const head = notice.slice(0, 2_000);
  if (STORAGE_FULL.test(head) && !STORAGE_FULL.test(only.diagnostic ?? ''))
    only.reason = 'mailboxfull';
}

/**
 * Sendmail's notice quotes the SMTP session (">>> RCPT To:<a>", "<<< 550 …"): the command is the
 * one the failure answered, and for a single recipient the server's replies say more than the
 * Diagnostic-Code (which Sendmail often fills with its own summary).
 */
function applySessionTranscript(findings: Finding[], notice: string): void {
  const lines = notice.split('\n');
  const sent = lines.find((l) => /^>>>\s*\S/.test(l));
  const command = sent ? commandOf(sent.replace(/^>>>\s*/, 'after ')) : null;
  const replies = [
    ...new Set(
      lines.filter((l) => /^<<<\s*[245]\d\d/.test(l)).map((l) => l.replace(/^<<<\s*/, '').trim()),
    ),
  ];
  for (const f of findings) {
    f.command ??= command;
    if (
      findings.length === 1 &&
      replies.length > 0 &&
      !(f.diagnostic ?? '').includes(replies[0] ?? '')
    ) {
      f.diagnostic = `${replies.join(' ')} ${f.diagnostic ?? ''}`.trim();
    }
  }
}
