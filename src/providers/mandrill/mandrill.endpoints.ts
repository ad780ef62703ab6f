import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createMandrillAdapter } from './mandrill.adapter.js';

/** `/webhooks/mandrill`: batches of up to 1000 events; HEAD/GET URL checks answered 200 (§3.1). */
export function mandrillEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.mandrill;
  return [
    {
      id: 'mandrill',
      path: '/webhooks/mandrill',
      adapter:
        c.webhookKeys.length > 0
          ? createMandrillAdapter({ ...c, publicUrl: config.http.publicUrl })
          : notConfigured('mandrill', 'BOUNCER_MANDRILL_WEBHOOK_KEYS'),
      auth: 'adapter',
      bodyLimit: 'batch',
      reply: 'standard',
      urlCheck: true,
    },
  ];
}
