import type { Finding, FormatParser, MailView } from '../types.js';

/**
 * Amazon SES notifications delivered by e-mail (an SNS e-mail subscription): the body is the
 * SNS envelope, or the SES message itself, as JSON. Bounce, Complaint and Delivery types are
 * read (SES Developer Guide, "Contents of notifications for Amazon SES").
 */
interface SesRecipient {
  emailAddress?: string;
  action?: string;
  status?: string;
  diagnosticCode?: string;
}

interface SesMessage {
  notificationType?: string;
  eventType?: string;
  bounce?: {
    bounceType?: string;
    bouncedRecipients?: SesRecipient[];
    timestamp?: string;
    reportingMTA?: string;
  };
  complaint?: {
    complainedRecipients?: SesRecipient[];
    complaintFeedbackType?: string;
    timestamp?: string;
  };
  delivery?: {
    recipients?: string[];
    smtpResponse?: string;
    timestamp?: string;
    reportingMTA?: string;
  };
  mail?: { messageId?: string };
}

function jsonIn(text: string): unknown {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end <= start) return null;
  const body = text.slice(start, end + 1);
  // Mail relays fold long lines; a fold inside a JSON string is a newline plus one space.
  for (const candidate of [body, body.replace(/\n /g, ''), body.replace(/\n/g, '')]) {
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // try the next unfolding
    }
  }
  return null;
}

function sesMessage(mail: MailView): SesMessage | null {
  if (
    !/amazonaws\.com|amazonses\.com/i.test(mail.from) &&
    !/"notificationType"|"eventType"/.test(mail.notice)
  )
    return null;
  const outer = jsonIn(mail.notice) as { Message?: unknown; notificationType?: unknown } | null;
  if (!outer || typeof outer !== 'object') return null;
  if (typeof outer.Message === 'string') {
    try {
      return JSON.parse(outer.Message) as SesMessage;
    } catch {
      return null;
    }
  }
  return outer as SesMessage;
}

export const parseAmazonSesJson: FormatParser = (mail) => {
  const m = sesMessage(mail);
  if (!m) return null;
  const type = (m.notificationType ?? m.eventType ?? '').toLowerCase();
  if (type === 'bounce' && m.bounce) {
    const permanent = m.bounce.bounceType === 'Permanent';
    const findings: Finding[] = (m.bounce.bouncedRecipients ?? [])
      .filter((r) => r.emailAddress)
      .map((r) => ({
        recipient: r.emailAddress ?? '',
        action: r.action ?? (permanent ? 'failed' : 'delayed'),
        status: r.status ?? null,
        diagnostic: r.diagnosticCode ?? null,
        remoteMta: m.bounce?.reportingMTA ?? null,
        date: m.bounce?.timestamp ?? null,
      }));
    return { kind: 'bounce', findings };
  }
  if (type === 'complaint' && m.complaint) {
    const feedbackType = m.complaint.complaintFeedbackType ?? 'abuse';
    const findings: Finding[] = (m.complaint.complainedRecipients ?? [])
      .filter((r) => r.emailAddress)
      .map((r) => ({
        recipient: r.emailAddress ?? '',
        feedbackType,
        reason: 'feedback',
        date: m.complaint?.timestamp ?? null,
      }));
    return { kind: 'complaint', findings };
  }
  if (type === 'delivery' && m.delivery) {
    const response = m.delivery.smtpResponse ?? null;
    const findings: Finding[] = (m.delivery.recipients ?? []).map((recipient) => ({
      recipient,
      action: 'delivered',
      diagnostic: response,
      remoteMta: m.delivery?.reportingMTA ?? null,
      date: m.delivery?.timestamp ?? null,
    }));
    return { kind: 'bounce', findings };
  }
  return null;
};
