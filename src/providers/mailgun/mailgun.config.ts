import { fail, type Reader } from '../../config.js';

/** Mailgun's settings (docs/providers/mailgun.md). */
export interface MailgunConfig {
  /** HTTP webhook signing keys of the primary account (`BOUNCER_MAILGUN_SIGNING_KEYS`); several for rotation. */
  signingKeys: string[];
  /**
   * Sub-accounts (or other Mailgun accounts) with their own signing keys, each served at
   * `/webhooks/mailgun/<name>` (`BOUNCER_MAILGUN_ACCOUNTS`, JSON `{"name": "key1,key2"}`).
   */
  accounts: Record<string, string[]>;
  /**
   * Oldest (and, capped at 5 minutes, newest) signed timestamp accepted, in seconds
   * (`BOUNCER_MAILGUN_MAX_AGE_SECONDS`). Default 24 h: Mailgun retries for about 8 h and does not
   * document whether retries are re-signed (spec §1.2), so a short window could refuse them.
   */
  maxAgeSeconds: number;
  /** Tokens remembered against replays, per instance (`BOUNCER_MAILGUN_TOKEN_CACHE_SIZE`). */
  tokenCacheSize: number;
}

export const MAILGUN_DEFAULT_MAX_AGE_SECONDS = 86_400;
export const MAILGUN_DEFAULT_TOKEN_CACHE_SIZE = 200_000;
const ACCOUNT_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function parseAccounts(r: Reader): Record<string, string[]> {
  const raw = r.json('BOUNCER_MAILGUN_ACCOUNTS');
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    fail('BOUNCER_MAILGUN_ACCOUNTS', 'must be a JSON object of account name → signing keys');
  const accounts: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!ACCOUNT_NAME.test(name))
      fail(
        'BOUNCER_MAILGUN_ACCOUNTS',
        `account "${name}" must be 1-64 lower-case letters, digits, "_" or "-"`,
      );
    const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
    const keys = (list ?? []).map((k) => (typeof k === 'string' ? k.trim() : '')).filter(Boolean);
    if (keys.length === 0 || keys.length !== (list ?? []).filter((k) => String(k).trim()).length)
      fail(
        'BOUNCER_MAILGUN_ACCOUNTS',
        `account "${name}" needs one or more signing keys (strings)`,
      );
    accounts[name] = keys;
  }
  return accounts;
}

export function parseMailgunConfig(r: Reader): MailgunConfig {
  return {
    signingKeys: r.list('BOUNCER_MAILGUN_SIGNING_KEYS'),
    accounts: parseAccounts(r),
    maxAgeSeconds: r.int('BOUNCER_MAILGUN_MAX_AGE_SECONDS', MAILGUN_DEFAULT_MAX_AGE_SECONDS, 1),
    tokenCacheSize: r.int(
      'BOUNCER_MAILGUN_TOKEN_CACHE_SIZE',
      MAILGUN_DEFAULT_TOKEN_CACHE_SIZE,
      1_000,
      10_000_000,
    ),
  };
}
