import type { FineReason, SmtpCommand } from '../core/classify.js';
import type { Headers } from './headers.js';
import type { Entity, Leaf } from './mime.js';

/** One recipient as a format reads it, before classification. */
export interface Finding {
  recipient: string;
  action?: string | null;
  status?: string | null;
  smtpCode?: string | null;
  diagnostic?: string | null;
  diagnosticType?: string | null;
  remoteMta?: string | null;
  /** RFC 3464 Reporting-MTA: the mail system that wrote the report. */
  reportingMta?: string | null;
  command?: SmtpCommand | null;
  /** A reason the format itself establishes (a provider's own error table). */
  reason?: FineReason | null;
  feedbackType?: string | null;
  date?: string | null;
}

/** The parts of a mail every format looks at. */
export interface MailView {
  entity: Entity;
  headers: Headers;
  subject: string;
  from: string;
  leaves: Leaf[];
  /** Human-readable notice: the text/plain leaves (or de-tagged HTML), decoded, joined. */
  notice: string;
  /** The attached original message (message/rfc822 or text/rfc822-headers), if any. */
  original: Entity | null;
}

export interface FormatResult {
  kind: 'bounce' | 'complaint' | 'autoreply';
  findings: Finding[];
  /** The original message when the format found it inside the text. */
  original?: Entity | null;
}

export type FormatParser = (mail: MailView) => FormatResult | null;
