import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createBrevoAdapter } from './brevo.adapter.js';

/**
 * Brevo discards an event on any 4xx but 429 and on any 5xx (spec B §6.5): the standard answers
 * (2xx for everything authentic, a dead delivery for an unusable body) are what it needs.
 */
export function brevoEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.brevo;
  const configured = c.basic.length + c.urlTokens.length + c.bearerTokens.length > 0;
  const adapter = configured
    ? createBrevoAdapter({
        credentials: {
          basic: c.basic,
          urlTokens: c.urlTokens,
          headerTokens: c.bearerTokens,
          tokenHeaders: ['authorization'],
        },
      })
    : notConfigured('brevo', 'BOUNCER_BREVO_BASIC_AUTH');
  const common = {
    adapter,
    auth: 'adapter' as const,
    // Batched webhooks carry up to 500 events per request (§6.1).
    bodyLimit: 'batch' as const,
    reply: 'standard' as const,
    allowedIps: c.allowedIps,
  };
  return [
    { id: 'brevo', path: '/webhooks/brevo', ...common },
    { id: 'brevo-token', path: '/webhooks/brevo/:token', ...common },
  ];
}
