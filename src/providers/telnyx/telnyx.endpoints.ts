import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createTelnyxAdapter } from './telnyx.adapter.js';

/** Messaging webhooks (status and inbound): POST JSON, answered 200 within Telnyx's 2 s. */
export function telnyxEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.telnyx;
  return [
    {
      id: 'telnyx',
      path: '/webhooks/telnyx',
      adapter:
        c.publicKeys.length > 0
          ? createTelnyxAdapter(c)
          : notConfigured('telnyx', 'BOUNCER_TELNYX_PUBLIC_KEY'),
      auth: 'adapter',
      bodyLimit: 'single',
      reply: 'standard',
    },
  ];
}
