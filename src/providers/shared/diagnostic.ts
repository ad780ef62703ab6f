/**
 * Small readers for SMTP diagnostic texts as providers relay them (`550 5.1.1 no such user`,
 * SES's `smtp; 550 5.1.1 user unknown`), shared by the webhook adapters.
 */

const ENHANCED_STATUS = /^[245]\.\d{1,3}\.\d{1,3}$/;

/** Drops an RFC 3464 diagnostic-type prefix: `smtp; 550 …` → `550 …`. */
export function stripDiagnosticType(text: string | null): string | null {
  if (text === null) return null;
  const stripped = text.replace(/^\s*[a-z][a-z0-9-]*\s*;\s*/i, '').trim();
  return stripped === '' ? null : stripped;
}

/** The SMTP reply code a text starts with: `550 5.1.1 …` → `550`. */
export function smtpCodeOf(text: string | null): string | null {
  return text ? (/^\s*([245]\d\d)(?![\d.])/.exec(text)?.[1] ?? null) : null;
}

/** The given enhanced status when well-formed, else the first one found in the text. */
export function enhancedStatusOf(status: string | null, text: string | null): string | null {
  const s = status?.trim() ?? '';
  if (ENHANCED_STATUS.test(s)) return s;
  return text ? (/(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])/.exec(text)?.[1] ?? null) : null;
}
