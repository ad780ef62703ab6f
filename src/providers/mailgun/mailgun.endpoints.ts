import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createMailgunAdapter } from './mailgun.adapter.js';

/**
 * `/webhooks/mailgun` (primary account keys) and `/webhooks/mailgun/:account` (that account's
 * keys, from BOUNCER_MAILGUN_ACCOUNTS). One adapter, so both share one token replay cache.
 */
export function mailgunEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.mailgun;
  const adapter =
    c.signingKeys.length > 0 || Object.keys(c.accounts).length > 0
      ? createMailgunAdapter(c)
      : notConfigured('mailgun', 'BOUNCER_MAILGUN_SIGNING_KEYS');
  const common = { adapter, auth: 'adapter', bodyLimit: 'batch', reply: 'standard' } as const;
  return [
    { id: 'mailgun', path: '/webhooks/mailgun', ...common },
    { id: 'mailgun-account', path: '/webhooks/mailgun/:account', ...common },
  ];
}
