import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createInboxroadAdapter } from './inboxroad.adapter.js';

/** Inboxroad may post an array of records: the batch limit applies. */
export function inboxroadEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const adapter =
    config.inboxroad.urlTokens.length > 0
      ? createInboxroadAdapter({ urlTokens: config.inboxroad.urlTokens })
      : notConfigured('inboxroad', 'BOUNCER_INBOXROAD_URL_TOKEN');
  return [
    {
      id: 'inboxroad',
      path: '/webhooks/inboxroad/:token',
      adapter,
      auth: 'adapter',
      bodyLimit: 'batch',
      reply: 'standard',
    },
    {
      id: 'inboxroad-basic',
      path: '/webhooks/inboxroad',
      adapter,
      auth: 'adapter',
      bodyLimit: 'batch',
      reply: 'standard',
    },
  ];
}
