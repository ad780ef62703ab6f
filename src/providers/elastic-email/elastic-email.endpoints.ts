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
  const adapter =
    c.tokens.length > 0
      ? createElasticEmailAdapter(c)
      : notConfigured('elastic-email', 'BOUNCER_ELASTIC_EMAIL_TOKENS');
  const base = {
    adapter,
    auth: 'adapter',
    reply: 'exact-200',
    allowedIps: c.allowedIps,
  } as const;
  return [
    {
      id: 'elastic-email',
      path: '/webhooks/elastic-email/:token',
      method: 'GET',
      bodyLimit: 1_024,
      ...base,
    },
    {
      // §6.1: a newer POST/JSON generation is reported but undocumented ([unverified]): a POST
      // with the token is kept (answered 200, stored for inspection), its query read like a GET.
      id: 'elastic-email-post',
      path: '/webhooks/elastic-email/:token',
      method: 'POST',
      bodyLimit: 'single',
      ...base,
    },
  ];
}
