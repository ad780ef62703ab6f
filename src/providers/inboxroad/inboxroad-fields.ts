/** Readers for PowerMTA accounting-record fields as Inboxroad sends them (spec §5.1, §5.3). */

const MS_PER_SECOND = 1_000;
/** Epoch values above this are milliseconds, not seconds (year 33658 in seconds). */
const EPOCH_MS_THRESHOLD = 1e12;

/** A field's text: trimmed non-empty strings, finite numbers as strings, anything else null. */
export function fieldText(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** Epoch milliseconds of `timeLogged`: epoch seconds (string or number) or `YYYY-MM-DD HH:MM:SS±ZZZZ` (§5.3). */
export function parseTimeLogged(value: unknown): number | null {
  const s = fieldText(value);
  if (s === null) return null;
  if (/^\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    const ms = Math.round(n > EPOCH_MS_THRESHOLD ? n : n * MS_PER_SECOND);
    // Beyond what a Date (and a bigint column) can hold: treated as absent (receipt time).
    return Number.isNaN(new Date(ms).getTime()) ? null : ms;
  }
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})\s*(?:([+-])(\d{2}):?(\d{2})|Z)?$/.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, sign, oh, om] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  const offsetMinutes = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) : 0;
  return local - offsetMinutes * 60_000;
}

const ENHANCED = /^([245]\.\d{1,3}\.\d{1,3})\b/;

/**
 * PowerMTA's `dsnStatus` (`5.1.1 (bad destination mailbox address)`) and `dsnDiag`
 * (`smtp;550 5.1.1 <x@y>: user unknown`, diagnostic-type prefix first, RFC 3464 §2.3.6).
 */
export function parseDsn(
  dsnStatus: string | null,
  dsnDiag: string | null,
): {
  enhancedStatus: string | null;
  smtpCode: string | null;
  diagnostic: string | null;
} {
  const diagnostic = dsnDiag?.replace(/^[a-z][a-z0-9-]*\s*;\s*/i, '').trim() || null;
  const smtpCode = diagnostic ? (/^([245]\d\d)(?=[\s-]|$)/.exec(diagnostic)?.[1] ?? null) : null;
  const fromDiag = diagnostic
    ? (/^[245]\d\d[\s-]+([245]\.\d{1,3}\.\d{1,3})\b/.exec(diagnostic)?.[1] ?? null)
    : null;
  const enhancedStatus = (dsnStatus ? ENHANCED.exec(dsnStatus.trim())?.[1] : undefined) ?? fromDiag;
  return { enhancedStatus, smtpCode, diagnostic };
}
