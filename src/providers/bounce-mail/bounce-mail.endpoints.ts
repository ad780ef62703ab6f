import type { Config } from '../../config.js';
import type { ProviderEndpoint } from '../types.js';
import { createBounceMailAdapter } from './bounce-mail.adapter.js';

/** One raw RFC 5322 message per request, any content type (message/rfc822 is usual). */
export function bounceMailEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  return [
    {
      id: 'bounce-mail',
      path: '/webhooks/bounce-mail',
      adapter: createBounceMailAdapter({
        verp: config.bounceMail.verp,
        unsubscribe: config.unsubscribe,
      }),
      auth: 'api-key',
      bodyLimit: config.bounceMail.bodyLimitBytes,
      reply: 'standard',
    },
  ];
}
