import { fail, type Reader } from '../../config.js';

/**
 * Per-account secrets for providers that sign per domain, webhook, project or sub-account
 * (`BOUNCER_<PROVIDER>_ACCOUNTS`): a JSON object of account name → secret or list of secrets
 * (rotation), served at `/webhooks/<provider>/:account`. A request to one account's URL is
 * verified with that account's secrets only.
 */
export type AccountSecrets = Readonly<Record<string, readonly string[]>>;

const ACCOUNT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function parseAccountSecrets(r: Reader, setting: string, minLength = 1): AccountSecrets {
  const value = r.json(setting);
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(setting, 'must be a JSON object of account name → secret or list of secrets');
  const out: Record<string, string[]> = {};
  for (const [name, secrets] of Object.entries(value as Record<string, unknown>)) {
    if (!ACCOUNT_NAME.test(name))
      fail(setting, `account "${name}" must be 1-63 lower-case letters, digits, - or _`);
    const list = typeof secrets === 'string' ? [secrets] : secrets;
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      !list.every((s): s is string => typeof s === 'string' && s.trim().length >= minLength)
    )
      fail(
        setting,
        `account "${name}" needs a secret or a non-empty list of secrets of at least ${minLength} characters`,
      );
    out[name] = list.map((s) => s.trim());
  }
  return out;
}

/** Secrets of the route's account, or the provider-wide ones on the route without `:account`. */
export function secretsForRequest(
  params: Readonly<Record<string, string>>,
  shared: readonly string[],
  accounts: AccountSecrets,
): { ok: true; secrets: readonly string[] } | { ok: false; reason: string } {
  const account = params.account;
  if (account === undefined) {
    return shared.length > 0
      ? { ok: true, secrets: shared }
      : { ok: false, reason: 'no provider-wide secret is configured (only per-account ones)' };
  }
  const secrets = Object.hasOwn(accounts, account) ? accounts[account] : undefined;
  return secrets ? { ok: true, secrets } : { ok: false, reason: 'unknown account' };
}
