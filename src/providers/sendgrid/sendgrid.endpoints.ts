import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createSendgridAdapter } from './sendgrid.adapter.js';

export function sendgridEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  return [
    {
      id: 'sendgrid',
      path: '/webhooks/sendgrid',
      adapter:
        config.sendgrid.publicKeys.length > 0
          ? createSendgridAdapter({
              publicKeys: config.sendgrid.publicKeys,
              maxTimestampAgeSeconds: config.sendgrid.maxAgeSeconds,
            })
          : notConfigured('sendgrid', 'BOUNCER_SENDGRID_PUBLIC_KEY'),
      auth: 'adapter',
      bodyLimit: 'batch',
      reply: 'standard',
    },
  ];
}
