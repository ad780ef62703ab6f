/** Small readers for provider JSON and form fields, shared by the email adapters. */

export function str(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

const SQL_TIME = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)$/;

/**
 * Epoch ms of an ISO-8601 string, a `YYYY-MM-DD HH:MM:SS` text (UTC: MailerSend, Unisender Go;
 * `Date.parse` would read it as local time), or epoch seconds / ms; `fallback` otherwise.
 */
export function utcEpochMs(value: unknown, fallback: number): number {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const ms = Math.round(value > 1e12 ? value : value * 1_000);
    return Number.isNaN(new Date(ms).getTime()) ? fallback : ms;
  }
  if (typeof value !== 'string' || value.trim() === '') return fallback;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return utcEpochMs(Number(text), fallback);
  const sql = SQL_TIME.exec(text);
  const t = Date.parse(sql ? `${sql[1]}T${sql[2]}Z` : text);
  return Number.isNaN(t) ? fallback : t;
}

/** Details stay small: absent fields are left out rather than stored as null. */
export function compact(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(details).filter(([, v]) => v !== null && v !== undefined && v !== ''),
  );
}
