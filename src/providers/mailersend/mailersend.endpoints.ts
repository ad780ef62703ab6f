import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createMailersendAdapter } from './mailersend.adapter.js';

/** One event per request (spec §1.1); webhooks are per sending domain, each with its own secret. */
export function mailersendEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.mailersend;
  const adapter =
    c.secrets.length > 0 || Object.keys(c.accounts).length > 0
      ? createMailersendAdapter(c)
      : notConfigured('mailersend', 'BOUNCER_MAILERSEND_SECRETS');
  const base = { adapter, auth: 'adapter', bodyLimit: 'single', reply: 'standard' } as const;
  return [
    { id: 'mailersend', path: '/webhooks/mailersend', ...base },
    { id: 'mailersend-account', path: '/webhooks/mailersend/:account', ...base },
  ];
}
