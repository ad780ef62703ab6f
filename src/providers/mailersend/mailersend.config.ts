import type { Reader } from '../../config.js';
import { parseAccountSecrets, type AccountSecrets } from '../shared/account-secrets.js';

export interface MailersendConfig {
  /** Signing secrets accepted at `/webhooks/mailersend` (`BOUNCER_MAILERSEND_SECRETS`, rotation). */
  secrets: string[];
  /** Per-webhook secrets at `/webhooks/mailersend/:account` (`BOUNCER_MAILERSEND_ACCOUNTS`). */
  accounts: AccountSecrets;
  /**
   * Accept the dashboard's test ping, signed with MailerSend's publicly known test key
   * (`BOUNCER_MAILERSEND_ACCEPT_TEST_PING`, default false). Only a `webhook.test` body passes
   * with that key, and it never changes the list.
   */
  acceptTestPing: boolean;
}

export function parseMailersendConfig(r: Reader): MailersendConfig {
  return {
    secrets: r.list('BOUNCER_MAILERSEND_SECRETS'),
    accounts: parseAccountSecrets(r, 'BOUNCER_MAILERSEND_ACCOUNTS'),
    acceptTestPing: r.bool('BOUNCER_MAILERSEND_ACCEPT_TEST_PING', false),
  };
}
