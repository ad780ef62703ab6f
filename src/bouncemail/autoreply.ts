import { classifyBounce } from '../core/classify.js';
import { firstEmail } from './text.js';
import type { FormatParser } from './types.js';

/**
 * RFC 3834 automatic responses (vacation / out-of-office). They are not failures: the recipient
 * is the author of the reply. Replies from mail systems (MAILER-DAEMON, postmaster) are bounce
 * notices in disguise and are left to the bounce formats.
 */
const AUTO_SUBJECT = new RegExp(
  [
    '^auto(matic|matische|matisch|matique)?[ _-]?(reply|response|respons|antwort|antwoord)',
    '^auto:',
    '^out of (the )?office',
    '^away',
    '^on vacation',
    '^vacation',
    '^abwesenheit',
    '^r[ée]ponse automatique',
    '^absence',
    '^fuera de la oficina',
    '^respuesta autom[aá]tica',
    '^risposta automatica',
    '^resposta autom[aá]tica',
    '^automatyczna odpowied',
    '^自動返信',
    '^自動応答',
    '^不在',
  ].join('|'),
  'i',
);
const SYSTEM_SENDER = /mailer-daemon|postmaster|mail delivery|noreply-dmarc|bounce/i;

export const parseAutoReply: FormatParser = (mail) => {
  const h = mail.headers;
  const autoSubmitted = (h.get('auto-submitted') ?? '').toLowerCase();
  const precedence = (h.get('precedence') ?? '').toLowerCase();
  const flagged =
    autoSubmitted.startsWith('auto-replied') ||
    h.has('x-autoreply') ||
    h.has('x-autorespond') ||
    h.has('x-autoresponder') ||
    precedence === 'auto_reply' ||
    /^(yes|true)$/i.test(h.get('x-auto-response-suppress') ?? '') ||
    AUTO_SUBJECT.test(mail.subject);
  if (!flagged) return null;
  // Read receipts (RFC 8098 MDNs) are auto-replied too, but say nothing about the mailbox.
  if (mail.leaves.some((l) => l.type === 'message/disposition-notification')) return null;
  if (
    SYSTEM_SENDER.test(mail.from) ||
    /undeliver|delivery|bounce|failure|returned/i.test(mail.subject)
  )
    return null;
  const recipient =
    firstEmail(h.text('x-original-from') ?? mail.from) ?? firstEmail(h.get('reply-to') ?? '');
  if (!recipient) return null;
  const body = mail.notice.slice(0, 2000);
  // Some auto-replies say the account is gone rather than away.
  const c = classifyBounce({ diagnostic: body });
  const failure = ['suspend', 'userunknown', 'hasmoved', 'mailboxfull'].includes(c.fineReason);
  return {
    kind: 'autoreply',
    findings: [
      {
        recipient,
        reason: failure ? c.fineReason : 'vacation',
        diagnostic: body.replace(/\s+/g, ' ').trim().slice(0, 300),
        action: failure ? 'failed' : null,
      },
    ],
  };
};
