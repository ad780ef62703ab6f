import type { Reader } from '../../config.js';
import { parseAccountSecrets, type AccountSecrets } from '../shared/account-secrets.js';

export interface UnisenderGoConfig {
  /** API keys whose MD5 `auth` is accepted at `/webhooks/unisender-go` (`BOUNCER_UNISENDER_GO_API_KEYS`). */
  apiKeys: string[];
  /** Per-project/user API keys at `/webhooks/unisender-go/:account` (`BOUNCER_UNISENDER_GO_ACCOUNTS`). */
  accounts: AccountSecrets;
}

export function parseUnisenderGoConfig(r: Reader): UnisenderGoConfig {
  return {
    apiKeys: r.list('BOUNCER_UNISENDER_GO_API_KEYS'),
    accounts: parseAccountSecrets(r, 'BOUNCER_UNISENDER_GO_ACCOUNTS'),
  };
}
