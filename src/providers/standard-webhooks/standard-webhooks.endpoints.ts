import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createStandardWebhooksAdapter } from './standard-webhooks.adapter.js';

/** `/webhooks/resend` and one `/webhooks/standard/<name>` per configured sender (spec §4). */
export function standardWebhooksEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.standardWebhooks;
  const common = { auth: 'adapter', bodyLimit: 'single', reply: 'standard' } as const;
  const resend: ProviderEndpoint = {
    id: 'resend',
    path: '/webhooks/resend',
    adapter:
      c.resendSecrets.length > 0
        ? createStandardWebhooksAdapter({
            name: 'resend',
            format: 'resend',
            secrets: c.resendSecrets,
            toleranceSeconds: c.toleranceSeconds,
          })
        : notConfigured('resend', 'BOUNCER_RESEND_WEBHOOK_SECRETS'),
    ...common,
  };
  return [
    resend,
    ...c.senders.map((s): ProviderEndpoint => ({
      id: `standard-${s.name}`,
      path: `/webhooks/standard/${s.name}`,
      adapter: createStandardWebhooksAdapter({ ...s, toleranceSeconds: c.toleranceSeconds }),
      ...common,
    })),
  ];
}
