import type { FineReason, SmtpCommand } from '../../core/classify.js';
import type { FormatParser } from '../types.js';
import { parseGenericNotice } from './generic.js';

/**
 * Gmail's plain-text notices (before Google sent RFC 3464 reports): "Delivery to the following
 * recipient failed permanently:" and a "(state N)" marker naming the SMTP step that failed.
 */
const GMAIL_FROM = /<?mailer-daemon@googlemail\.com>?/i;

/** Google's session states: the command that failed and what it means. */
const STATES: Readonly<Record<string, readonly [SmtpCommand, FineReason]>> = {
  '6': ['MAIL', 'failedstarttls'],
  '8': ['AUTH', 'systemerror'],
  '9': ['AUTH', 'failedstarttls'],
  '12': ['AUTH', 'norelaying'],
  '13': ['EHLO', 'blocked'],
  '14': ['RCPT', 'userunknown'],
  '15': ['DATA', 'filtered'],
  '17': ['DATA', 'filtered'],
  '18': ['DATA', 'filtered'],
};

const MESSAGES: ReadonlyArray<readonly [RegExp, FineReason]> = [
  [
    /dns error: could not contact dns servers|recipient has been delayed|did not accept our requests to connect/i,
    'expired',
  ],
  [/dns error: domain name not found|dns server returned answer with no data/i, 'hostunknown'],
];

export const parseGmailNotice: FormatParser = (mail) => {
  if (!GMAIL_FROM.test(mail.from) || !/delivery status notification/i.test(mail.subject))
    return null;
  if (!/delivery to the following recipient/i.test(mail.notice)) return null;
  const result = parseGenericNotice(mail);
  if (!result) return null;
  for (const f of result.findings) {
    const d = f.diagnostic ?? '';
    const state = STATES[/\(state (\d+)\)/i.exec(d)?.[1] ?? ''];
    // A specific status code in Google's quote outranks the state's generic reading.
    const specific = /\b[45]\.[1-7]\.[1-9]\d*\b/.test(d);
    if (state) {
      f.command = state[0];
      if (!specific) f.reason = state[1];
    } else if (!specific) {
      f.reason = MESSAGES.find(([re]) => re.test(d))?.[1] ?? f.reason ?? null;
    }
  }
  return result;
};
