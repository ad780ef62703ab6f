import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createPostalAdapter } from './postal.adapter.js';

/**
 * One event per request (spec §2.1). Every Postal server of an installation signs with the same
 * key, so one route serves them all; several keys cover several installations and rotation.
 */
export function postalEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.postal;
  return [
    {
      id: 'postal',
      path: '/webhooks/postal',
      adapter:
        c.publicKeys.length > 0
          ? createPostalAdapter(c)
          : notConfigured('postal', 'BOUNCER_POSTAL_PUBLIC_KEYS'),
      auth: 'adapter',
      bodyLimit: 'single',
      reply: 'standard',
    },
  ];
}
