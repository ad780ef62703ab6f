import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createElasticEmailAdapter } from './elastic-email.adapter.js';

/**
 * Elastic Email's "HTTP Web Notification" is a GET with query parameters that must answer 200
 * (spec §6.1; notifications are turned off after 1000 failed calls).
 */
export function elasticEmailEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.elasticEmail;
  return [
    {
      id: 'elastic-email',
      path: '/webhooks/elastic-email/:token',
      method: 'GET',
      adapter:
        c.tokens.length > 0
          ? createElasticEmailAdapter(c)
          : notConfigured('elastic-email', 'BOUNCER_ELASTIC_EMAIL_TOKENS'),
      auth: 'adapter',
      bodyLimit: 1_024,
      reply: 'exactly-200',
      allowedIps: c.allowedIps,
    },
  ];
}
