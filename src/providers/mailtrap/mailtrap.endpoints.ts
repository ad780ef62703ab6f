import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createMailtrapAdapter } from './mailtrap.adapter.js';

/**
 * Batches of up to 500 events (spec §3.1): the batch body limit. Mailtrap retries anything but
 * exactly 200 (§3.5), unparseable batches included, so every verified request is answered 200.
 */
export function mailtrapEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.mailtrap;
  const adapter =
    c.secrets.length > 0 || Object.keys(c.accounts).length > 0
      ? createMailtrapAdapter(c)
      : notConfigured('mailtrap', 'BOUNCER_MAILTRAP_SECRETS');
  const base = { adapter, auth: 'adapter', bodyLimit: 'batch', reply: 'exact-200' } as const;
  return [
    { id: 'mailtrap', path: '/webhooks/mailtrap', ...base },
    { id: 'mailtrap-account', path: '/webhooks/mailtrap/:account', ...base },
  ];
}
