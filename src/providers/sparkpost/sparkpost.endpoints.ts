import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createSparkpostAdapter } from './sparkpost.adapter.js';

/** SparkPost posts batches (up to hundreds of events) and counts only a 200 as received (§5.6). */
export function sparkpostEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.sparkpost;
  const configured = c.basic.length + c.urlTokens.length + c.headerTokens.length > 0;
  const adapter = configured
    ? createSparkpostAdapter({
        credentials: {
          basic: c.basic,
          urlTokens: c.urlTokens,
          headerTokens: c.headerTokens,
          tokenHeaders: [c.tokenHeader],
        },
        unsubscribeScope: c.unsubscribeScope,
      })
    : notConfigured('sparkpost', 'BOUNCER_SPARKPOST_BASIC_AUTH');
  const common = {
    adapter,
    auth: 'adapter' as const,
    bodyLimit: 'batch' as const,
    reply: 'exact-200' as const,
    allowedIps: c.allowedIps,
  };
  return [
    { id: 'sparkpost', path: '/webhooks/sparkpost', ...common },
    { id: 'sparkpost-token', path: '/webhooks/sparkpost/:token', ...common },
  ];
}
