import type { Reader } from '../../config.js';
import { parseAccountSecrets, type AccountSecrets } from '../shared/account-secrets.js';

export interface MailtrapConfig {
  /** Webhook signing secrets for `/webhooks/mailtrap` (`BOUNCER_MAILTRAP_SECRETS`, rotation). */
  secrets: string[];
  /** Per-webhook secrets at `/webhooks/mailtrap/:account` (`BOUNCER_MAILTRAP_ACCOUNTS`). */
  accounts: AccountSecrets;
}

export function parseMailtrapConfig(r: Reader): MailtrapConfig {
  return {
    secrets: r.list('BOUNCER_MAILTRAP_SECRETS'),
    accounts: parseAccountSecrets(r, 'BOUNCER_MAILTRAP_ACCOUNTS'),
  };
}
