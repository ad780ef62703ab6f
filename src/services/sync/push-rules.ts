import type { ChangeEvent } from '../../core/change-events.js';

export const SYNC_PROVIDERS = ['sendgrid', 'ses', 'mailgun', 'postmark', 'brevo'] as const;
export type SyncProvider = (typeof SYNC_PROVIDERS)[number];

/** The outbox target (an `outbound_subscriptions` row of origin `sync`) for a provider. */
export const syncTargetId = (p: SyncProvider): string => `sync:${p}`;

/**
 * Which changes are pushed to a provider's list (docs/sync.md, "Rules"):
 * - Bouncer is the source of truth, but only permanent email suppressions are pushed: a
 *   cool-down is Bouncer's own, short-lived decision, and providers' lists have no end date.
 * - A change that came from the provider itself (its webhook, source `sendgrid`; or its list,
 *   source `sync:sendgrid`) is already there: pushing it back would make it bounce between them.
 * - Removals are pushed only when an operator lifted the suppression (source `manual`).
 * - Scopes: SendGrid takes the global list and numeric unsubscribe (ASM) groups; SES (account
 *   level) and Mailgun (per domain, all configured domains) only the global scope.
 */
export function shouldPush(provider: SyncProvider, e: ChangeEvent): boolean {
  const d = e.data;
  if (d.channel !== 'email') return false;
  const scopeOk = d.scope === '*' || (provider === 'sendgrid' && /^\d{1,10}$/.test(d.scope));
  if (!scopeOk) return false;
  if (e.type === 'suppression.removed') return d.source === 'manual';
  if (e.type !== 'suppression.added') return false;
  if (d.until !== null) return false;
  return d.source !== provider && d.source !== `sync:${provider}`;
}
