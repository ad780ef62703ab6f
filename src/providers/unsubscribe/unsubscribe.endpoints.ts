import type { Config } from '../../config.js';
import type { ProviderEndpoint } from '../types.js';
import { createUnsubscribeAdapter } from './unsubscribe.adapter.js';

/** Recipients' one-click POSTs (RFC 8058); the GET of the same URL is a page in http/. */
export function unsubscribeEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  return [
    {
      id: 'unsubscribe',
      path: '/unsubscribe/:token',
      adapter: createUnsubscribeAdapter({ secrets: config.unsubscribe.secrets }),
      auth: 'adapter',
      bodyLimit: 4_096,
      reply: 'unsubscribe',
    },
  ];
}
