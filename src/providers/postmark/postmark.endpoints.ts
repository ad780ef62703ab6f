import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createPostmarkAdapter } from './postmark.adapter.js';

/** `/webhooks/postmark` (Basic auth) and `/webhooks/postmark/:token`; one record per request. */
export function postmarkEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.postmark;
  const adapter =
    c.basicAuth.length > 0 || c.urlTokens.length > 0
      ? createPostmarkAdapter({ basic: c.basicAuth, urlTokens: c.urlTokens })
      : notConfigured('postmark', 'BOUNCER_POSTMARK_BASIC_AUTH or BOUNCER_POSTMARK_URL_TOKEN');
  const common = {
    adapter,
    auth: 'adapter',
    bodyLimit: 'batch',
    reply: 'standard',
    allowedIps: c.allowedIps,
  } as const;
  return [
    { id: 'postmark', path: '/webhooks/postmark', ...common },
    { id: 'postmark-token', path: '/webhooks/postmark/:token', ...common },
  ];
}
