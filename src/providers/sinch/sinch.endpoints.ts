import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createSinchAdapter } from './sinch.adapter.js';

/**
 * Delivery reports and inbound (MO) callbacks. Sinch drops a callback answered 4xx other than
 * 429 (§12.5), so only a failed signature gets one (the uniform 401); storage trouble is 503.
 */
export function sinchEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.sinch;
  return [
    {
      id: 'sinch',
      path: '/webhooks/sinch',
      adapter:
        c.secrets.length > 0
          ? createSinchAdapter(c)
          : notConfigured('sinch', 'BOUNCER_SINCH_WEBHOOK_SECRET'),
      auth: 'adapter',
      bodyLimit: 'batch',
      reply: 'standard',
    },
  ];
}
