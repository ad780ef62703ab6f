import { emailsIn } from '../text.js';
import type { FormatParser } from '../types.js';
import { looksLikeNotice } from './generic.js';
import { splitOriginal } from './notice.js';

/**
 * Last resorts for notices whose text names no recipient the readers can see:
 * X-Failed-Recipients (Exim, Google) lists them in a header; otherwise a notice that quotes an
 * SMTP error and returns a message with a single To address is about that address (Sendmail v5).
 */
export const parseFailedRecipientsHeader: FormatParser = (mail) => {
  const listed = emailsIn(mail.headers.getAll('x-failed-recipients').join(','));
  if (listed.length === 0 || !looksLikeNotice(mail)) return null;
  const { notice, original } = splitOriginal(mail.notice);
  const diagnostic = notice.replace(/\s+/g, ' ').trim().slice(0, 1_000);
  // Google Groups refuses posts from non-members in every language; the links are the constant.
  const reason = /groups\.google\.com|google groups/i.test(notice) ? ('rejected' as const) : null;
  const findings = [...new Set(listed.map((a) => a.toLowerCase()))].map((recipient) => ({
    recipient,
    diagnostic,
    reason,
  }));
  return { kind: 'bounce', findings, original: mail.original ?? original };
};

export const parseOriginalRecipient: FormatParser = (mail) => {
  if (!looksLikeNotice(mail)) return null;
  const { notice, original } = splitOriginal(mail.notice);
  const errors = notice.split('\n').filter((l) => /^\s*(<<<\s*)?[45]\d\d[\s-]/.test(l));
  const orig = mail.original ?? original;
  const to = emailsIn(orig?.headers.get('to') ?? '');
  // A multipart/report is a bounce by construction, even when its report is empty ("Delivery
  // report unavailable"); a plain notice must at least quote an SMTP error.
  const isReport = mail.entity.type === 'multipart/report';
  if ((errors.length === 0 && !isReport) || to.length !== 1 || !to[0]) return null;
  return {
    kind: 'bounce',
    findings: [{ recipient: to[0], diagnostic: errors.join(' ') || null }],
    original: orig,
  };
};
