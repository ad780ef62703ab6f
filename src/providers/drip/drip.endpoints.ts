import type { Config } from '../../config.js';
import type { ProviderEndpoint } from '../types.js';
import { createDripAdapter, createDripSignedAdapter } from './drip.adapter.js';

export function dripEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  return [
    {
      id: 'drip-signed',
      path: '/webhooks/drip/bounce',
      adapter: createDripSignedAdapter({ secrets: config.drip.secrets }),
      auth: 'adapter',
      bodyLimit: 'single',
      reply: 'drip-signed',
    },
    {
      id: 'drip',
      path: '/webhooks/drip/:token',
      adapter: createDripAdapter({ urlTokens: config.drip.urlTokens }),
      auth: 'adapter',
      bodyLimit: 'single',
      reply: 'standard',
    },
  ];
}
