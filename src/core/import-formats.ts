import { isSaneTime } from './clock.js';
import { isReason, REASONS, type Reason } from './events.js';
import { REASON_RANK, type PolicyConfig } from './policy.js';

/**
 * Recognising the suppression lists people bring: SendGrid's suppression exports (bounces
 * `email,created,status,reason`; blocks, same columns; spam reports `email,created,ip`;
 * unsubscribes, global and group, `email,created`), Amazon SES suppressed destinations
 * (`EmailAddress,Reason,LastUpdateTime`, Reason BOUNCE | COMPLAINT) and Bouncer's own export.
 * Pure: a header (or an NDJSON object) in, one ImportRow per record out.
 */

export type ImportKind =
  | 'bouncer'
  | 'ses'
  | 'sendgrid_bounces'
  | 'sendgrid_spam_reports'
  | 'sendgrid_unsubscribes'
  /** Amazon SNS `ListPhoneNumbersOptedOut` output (core/aws-opt-out-lists.ts). */
  | 'sns_opted_out'
  /** AWS End User Messaging SMS `DescribeOptedOutNumbers` output. */
  | 'aws_sms_opted_out'
  | 'generic';

export interface ImportDefaults {
  reason?: Reason | undefined;
  source?: string | undefined;
  scope?: string | undefined;
}

export interface ImportRow {
  address: string;
  reason: Reason;
  scope: string;
  source: string;
  /** Epoch ms of the original suppression, or null when the file does not say. */
  at: number | null;
  /** Epoch ms; null = permanent. */
  expiresAt: number | null;
  metadata: Record<string, unknown>;
}

export type ImportParse = { ok: true; row: ImportRow } | { ok: false; error: string };

const lower = (s: string): string => s.trim().toLowerCase();

/** Which export a CSV header comes from. */
export function detectImportKind(header: readonly string[]): ImportKind {
  const h = new Set(header.map(lower));
  if (h.has('emailaddress') && h.has('reason')) return 'ses';
  if (h.has('address') && h.has('reason') && h.has('scope')) return 'bouncer';
  if (h.has('email') && h.has('status') && h.has('reason')) return 'sendgrid_bounces';
  if (h.has('email') && h.has('ip')) return 'sendgrid_spam_reports';
  if (h.has('email') && (h.has('created') || h.has('created_at')) && h.size <= 3)
    return 'sendgrid_unsubscribes';
  return 'generic';
}

const DEFAULT_SOURCE: Record<ImportKind, string> = {
  bouncer: 'import',
  ses: 'ses',
  sendgrid_bounces: 'sendgrid',
  sendgrid_spam_reports: 'sendgrid',
  sendgrid_unsubscribes: 'sendgrid',
  sns_opted_out: 'sns',
  aws_sms_opted_out: 'aws-sms',
  generic: 'import',
};

/** Epoch seconds or ms, or ISO-8601 / `YYYY-MM-DD hh:mm:ss` (read as UTC); null if unreadable. */
export function parseImportTime(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) {
    // Whole milliseconds (a bigint column on PostgreSQL), inside the range a row can answer.
    const ms = Math.round(v < 1e12 ? v * 1_000 : v);
    return isSaneTime(ms) ? ms : null;
  }
  if (typeof v !== 'string' || v.trim() === '') return null;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return parseImportTime(Number(s));
  const t = Date.parse(
    /^\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?$/.test(s) ? `${s.replace(' ', 'T')}Z` : s,
  );
  return isSaneTime(t) ? t : null;
}

function reasonFor(
  kind: ImportKind,
  rec: Record<string, unknown>,
  defaults: ImportDefaults,
): string {
  if (defaults.reason) return defaults.reason;
  const r = typeof rec.reason === 'string' ? rec.reason.trim() : '';
  switch (kind) {
    case 'ses':
      return r.toUpperCase() === 'COMPLAINT'
        ? 'spam_complaint'
        : r.toUpperCase() === 'BOUNCE'
          ? 'hard_bounce'
          : `Reason "${r}" is neither BOUNCE nor COMPLAINT`;
    case 'sendgrid_bounces':
      // SendGrid keeps 4.x.x bounces on the list too; they are soft.
      return String(rec.status ?? '')
        .trim()
        .startsWith('4')
        ? 'soft_bounce'
        : 'hard_bounce';
    case 'sendgrid_spam_reports':
      return 'spam_complaint';
    case 'sendgrid_unsubscribes':
      return 'unsubscribe';
    default:
      if (r === '') return 'manual';
      return isReason(r) ? r : `reason "${r}" is not one of ${REASONS.join(', ')}`;
  }
}

/** Lower-cased keys, so `EmailAddress` and `emailaddress` read alike. */
export function lowerKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[lower(k)] = v;
  return out;
}

/** One record (CSV fields by header name, or an NDJSON object) → the suppression to import. */
export function importRow(
  kind: ImportKind,
  raw: Record<string, unknown>,
  defaults: ImportDefaults,
): ImportParse {
  const rec = lowerKeys(raw);
  const address = [rec.address, rec.email, rec.emailaddress, rec.phone].find(
    (v) => typeof v === 'string' && v.trim() !== '',
  );
  if (typeof address !== 'string')
    return { ok: false, error: 'no address (columns address, email, EmailAddress or phone)' };
  const reason = reasonFor(kind, rec, defaults);
  if (!isReason(reason)) return { ok: false, error: reason };
  const scopeValue =
    typeof rec.scope === 'string' && rec.scope.trim() !== ''
      ? rec.scope.trim()
      : (defaults.scope ?? '*');
  const source =
    typeof rec.source === 'string' && rec.source.trim() !== ''
      ? rec.source.trim()
      : (defaults.source ?? DEFAULT_SOURCE[kind]);
  const at = parseImportTime(rec.since ?? rec.created ?? rec.created_at ?? rec.lastupdatetime);
  let expiresAt: number | null = null;
  if (rec.until !== undefined && rec.until !== null && rec.until !== '') {
    expiresAt = parseImportTime(rec.until);
    if (expiresAt === null)
      return { ok: false, error: `until "${String(rec.until)}" is not a time` };
  }
  const metadata: Record<string, unknown> =
    typeof rec.metadata === 'object' && rec.metadata !== null ? { ...rec.metadata } : {};
  metadata.imported = kind;
  if (kind === 'sendgrid_bounces' && typeof rec.reason === 'string' && rec.reason)
    metadata.diagnostic = rec.reason.slice(0, 1_000);
  if (kind === 'sendgrid_bounces' && typeof rec.status === 'string' && rec.status)
    metadata.enhancedStatus = rec.status;
  return { ok: true, row: { address, reason, scope: scopeValue, source, at, expiresAt, metadata } };
}

/**
 * A row without `until` gets the policy's expiry for its reason, counted from the row's own time
 * (`since`, `created`, …; the import time when the file gives none), so an imported soft bounce
 * cools down exactly as one from a webhook does instead of suppressing for ever.
 */
export function withPolicyExpiry(
  row: ImportRow,
  rules: PolicyConfig['rules'],
  now: number,
): ImportRow {
  const rule = rules[row.reason];
  if (row.expiresAt !== null || rule.mode !== 'cooldown') return row;
  return { ...row, expiresAt: (row.at ?? now) + rule.cooldownMs };
}

export interface ExistingSuppression {
  reason: Reason;
  expiresAt: number | null;
}

/**
 * Whether an imported suppression replaces the one already there. The policy's rule holds: a
 * stronger suppression is never weakened (a permanent one by a temporary one, or by a weaker
 * reason); an expired one is always replaced.
 */
export function importReplaces(
  current: ExistingSuppression,
  incoming: ExistingSuppression,
  now: number,
): boolean {
  const currentActive = current.expiresAt === null || current.expiresAt > now;
  if (!currentActive) return true;
  const rank = (REASON_RANK[incoming.reason] ?? 0) - (REASON_RANK[current.reason] ?? 0);
  if (current.expiresAt === null) return incoming.expiresAt === null && rank > 0;
  if (incoming.expiresAt === null) return true;
  return rank > 0 || (rank === 0 && incoming.expiresAt > current.expiresAt);
}
