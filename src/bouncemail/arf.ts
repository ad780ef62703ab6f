import { parseHeaderBlock } from './headers.js';
import { emailsIn, firstEmail } from './text.js';
import type { Finding, FormatParser, MailView } from './types.js';

/**
 * RFC 5965 Abuse Reporting Format (feedback loops, DMARC failure reports) and the two common
 * non-ARF complaint shapes: Microsoft's JMRP (an attached message whose headers name the
 * complaining recipient) and Apple Mail's one-click unsubscribe.
 */
function feedbackFields(mail: MailView): ReturnType<typeof parseHeaderBlock> | null {
  const part = mail.leaves.find((l) => l.type === 'message/feedback-report');
  if (part) return parseHeaderBlock(part.text.replace(/^\s+/, ''));
  const isReport =
    mail.entity.type === 'multipart/report' &&
    /feedback-report/i.test(mail.entity.params['report-type'] ?? '');
  if (isReport) return parseHeaderBlock(mail.notice);
  return null;
}

function originalRecipients(mail: MailView): string[] {
  const h = mail.original?.headers;
  if (!h) return [];
  const direct =
    h.get('x-hmxmroriginalrecipient') ??
    h.get('x-original-to') ??
    h.get('to') ??
    h.get('delivered-to');
  return direct ? emailsIn(direct).slice(0, 1) : [];
}

export const parseArf: FormatParser = (mail) => {
  const fields = feedbackFields(mail);
  if (fields) {
    const feedbackType =
      (fields.get('feedback-type') ?? 'abuse').trim().toLowerCase().split(/[\s;]/)[0] ?? 'abuse';
    let rcpts = fields.getAll('original-rcpt-to').flatMap((v) => emailsIn(v));
    if (rcpts.length === 0) rcpts = fields.getAll('removal-recipient').flatMap((v) => emailsIn(v));
    if (rcpts.length === 0) rcpts = originalRecipients(mail);
    const date = fields.get('arrival-date') ?? fields.get('received-date');
    const findings: Finding[] = [...new Set(rcpts.map((r) => r.toLowerCase()))].map(
      (recipient) => ({
        recipient,
        feedbackType,
        reason: 'feedback',
        date,
        diagnostic: null,
      }),
    );
    return { kind: 'complaint', findings };
  }
  // Microsoft JMRP: no report part, the complaint is the forwarded message itself.
  const jmrp = mail.original?.headers.get('x-hmxmroriginalrecipient');
  if (jmrp && /complaint|abuse|junk/i.test(mail.subject)) {
    const recipient = firstEmail(jmrp);
    return recipient
      ? { kind: 'complaint', findings: [{ recipient, feedbackType: 'abuse', reason: 'feedback' }] }
      : null;
  }
  // Apple Mail's unsubscribe button sends a mail with this header from the subscriber.
  if ((mail.headers.get('x-apple-unsubscribe') ?? '').toLowerCase() === 'true') {
    const recipient = firstEmail(mail.from);
    return recipient
      ? {
          kind: 'complaint',
          findings: [{ recipient, feedbackType: 'opt-out', reason: 'feedback' }],
        }
      : null;
  }
  return null;
};
