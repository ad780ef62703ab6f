import { normaliseEmail } from '../core/address.js';
import {
  classificationOf,
  classifyBounce,
  isPermanent,
  normaliseStatus,
  type FineReason,
} from '../core/classify.js';
import { guardRecipientFault } from './severity-guard.js';
import { decodeCharset, decodeWords, type Headers } from './headers.js';
import { collapse, joinReplyLines, replyCodeIn, statusIn, statusesIn } from './text.js';
import type { Finding } from './types.js';

export type MailSeverity = 'hard' | 'soft' | 'complaint' | 'none';

export interface BounceMailRecipient {
  /** Normalised email (normaliseEmail). */
  recipient: string;
  /** failed | delayed | delivered | relayed | expanded (null when the report does not say). */
  action: string | null;
  /** RFC 3463 code, e.g. 5.1.1 (null when the message has none). */
  enhancedStatus: string | null;
  /** SMTP reply code, e.g. 550. */
  smtpCode: string | null;
  diagnostic: string | null;
  remoteMta: string | null;
  fineReason: FineReason;
  severity: MailSeverity;
  /** ARF feedback type (abuse, fraud, opt-out, auth-failure, …). */
  feedbackType: string | null;
  originalMessageId: string | null;
  /** Headers of the attached original (X-Campaign-*, List-Id…), names lower-cased. */
  originalHeaders: Record<string, string>;
  /** Epoch ms (Last-Attempt-Date / Arrival-Date / Date), null when unknown. */
  occurredAt: number | null;
}

const MAX_DIAGNOSTIC_CHARS = 1_000;
const MAX_DATE_CHARS = 200;

/**
 * The status a report really gives when its Status field and the diagnostic text disagree.
 * The reply code's class breaks a class tie; otherwise the more specific code wins: generic
 * codes (x.0.0, x.y.0) and the vague ones MTAs use as fallbacks (4.4.7 queue expiry, 4.7.0,
 * 5.3.x, the x.5.x protocol codes) give way to the code the remote server actually sent.
 */
export function effectiveStatus(
  field: string | null | undefined,
  diagnostic: string | null | undefined,
  replyCode?: string | null,
): string | null {
  const f = normaliseStatus(field);
  // The text often repeats the field first ("554 4.4.7 Message expired … <421 4.4.2 …>").
  // A code right after a reply code ("550-'5.7.1", "550 5.2.2") is the remote server's own.
  const replied = [
    ...(diagnostic ?? '').matchAll(
      /(?:^|[^\d.])[45]\d\d[ \-'"]+([45]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/g,
    ),
  ]
    .map((m) => normaliseStatus(m[1]))
    .find((c) => c !== null && c !== f);
  const t = replied ?? statusesIn(diagnostic).find((c) => c !== f) ?? statusIn(diagnostic);
  if (!f || !t) return f ?? t;
  if (f === t) return f;
  const reply = replyCode?.[0];
  if (reply && f[0] !== t[0]) {
    if (reply === f[0]) return f;
    if (reply === t[0]) return t;
  }
  const generic = (c: string): boolean => /^\d\.0\.0$/.test(c);
  const hasZero = (c: string): boolean => /\.0(\.|$)/.test(c);
  if (generic(f)) return generic(t) ? f : t;
  if (hasZero(f) && !hasZero(t)) return t;
  if (generic(t)) return f;
  if (f === '4.4.7' || f === '4.7.0' || f.startsWith('5.3.') || /^\d\.5\.[1245]$/.test(f)) return t;
  if (f === '5.1.1') return hasZero(t) || t.startsWith('5.5.') ? f : t;
  if (f === '5.1.3' && t.startsWith('5.7.')) return t;
  return f;
}

export function parseDate(value: string | null | undefined): number | null {
  // A date is a few dozen characters; `[^()]` keeps each `(` from scanning past the next one.
  if (!value || value.length > MAX_DATE_CHARS) return null;
  const cleaned = value
    .replace(/\([^()]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const t = Date.parse(cleaned);
  return Number.isNaN(t) ? null : t;
}

export interface FinaliseContext {
  kind: 'bounce' | 'complaint' | 'autoreply';
  original: { headers: Headers } | null;
  mailDate: string | null;
}

/** Raw 8-bit header bytes read as UTF-8, then RFC 2047 words decoded, so copies agree. */
function headerText(value: string): string {
  return decodeWords(decodeCharset(value, null));
}

function originalInfo(original: { headers: Headers } | null): {
  id: string | null;
  headers: Record<string, string>;
} {
  const headers: Record<string, string> = {};
  if (!original) return { id: null, headers };
  for (const f of original.headers.fields)
    if (!(f.name in headers)) headers[f.name] = headerText(f.value).slice(0, 500);
  const id = original.headers.get('message-id');
  return { id: id ? id.replace(/^<|>$/g, '').trim() || null : null, headers };
}

/**
 * normaliseEmail, or for addresses it refuses but a mail system really used (Japanese carriers'
 * `a..b.@docomo.ne.jp`, dotless intranet domains) the trimmed, lower-cased form.
 */
export function recipientAddress(raw: string): string | null {
  const trimmed = raw
    .trim()
    .replace(/^["'<]+|[>"'.,;:]+$/g, '')
    .replace(/^"?([^"@]+)"@/, '$1@');
  const email = normaliseEmail(trimmed);
  if (email.ok) return email.address;
  return /^[^\s@<>()]+@[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(trimmed) ? trimmed.toLowerCase() : null;
}

/** `mx.example.jp [192.0.2.1]` → `mx.example.jp`. */
function hostName(value: string | null | undefined): string | null {
  return (
    value
      ?.trim()
      .split(/[\s[(]/)[0]
      ?.replace(/\.$/, '') || null
  );
}

/** Collapsed, reply continuations joined; null when it says nothing beyond the address. */
function cleanDiagnostic(text: string | null | undefined, address: string): string | null {
  if (!text) return null;
  // Cut before joining: the joins only shorten the text, and each pass is then bounded.
  const d = joinReplyLines(collapse(text.slice(0, 8 * MAX_DIAGNOSTIC_CHARS))).slice(
    0,
    MAX_DIAGNOSTIC_CHARS,
  );
  const rest = d
    .toLowerCase()
    .split(address)
    .join('')
    .replace(/[\s<>"'*:;,.()[\]-]+/g, '');
  return rest === '' ? null : d;
}

/** Turns what a format found into the public record, classifying through core/classify. */
export function finalise(f: Finding, ctx: FinaliseContext): BounceMailRecipient | null {
  const address = recipientAddress(f.recipient);
  if (!address) return null;
  const diagnostic = cleanDiagnostic(f.diagnostic, address);
  const smtpCode = f.smtpCode ?? replyCodeIn(diagnostic);
  const status = effectiveStatus(f.status, diagnostic, smtpCode);
  const { id, headers } = originalInfo(ctx.original);
  const base = {
    recipient: address,
    enhancedStatus: status,
    smtpCode,
    diagnostic,
    remoteMta: f.remoteMta ?? null,
    feedbackType: f.feedbackType ?? null,
    originalMessageId: id,
    originalHeaders: headers,
    occurredAt: parseDate(f.date ?? ctx.mailDate),
  };
  if (ctx.kind === 'complaint')
    return { ...base, action: null, fineReason: 'feedback', severity: 'complaint' };
  if (f.reason === 'vacation')
    return { ...base, action: null, fineReason: 'vacation', severity: 'none' };
  const first = classifyBounce({
    enhancedStatus: status,
    smtpCode,
    diagnostic,
    smtpCommand: f.command ?? null,
    action: f.action ?? null,
    knownReason: f.reason ?? null,
    diagnosticType: f.diagnosticType ?? null,
    recipientDomain: address.slice(address.lastIndexOf('@') + 1),
    remoteHost: hostName(f.remoteMta),
    reportingHost: hostName(f.reportingMta),
  });
  const guarded = guardRecipientFault(first.fineReason, {
    status,
    smtpCode,
    diagnostic,
    command: f.command,
  });
  const c =
    guarded === first.fineReason
      ? first
      : classificationOf(guarded, isPermanent({ enhancedStatus: status, smtpCode }));
  const action = f.action ?? (c.fineReason === 'delivered' ? 'delivered' : 'failed');
  const severity: MailSeverity =
    c.fineReason === 'delivered' || c.fineReason === 'vacation'
      ? 'none'
      : c.severity === 'hard'
        ? 'hard'
        : 'soft';
  return { ...base, action, fineReason: c.fineReason, severity };
}
