import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createMailjetAdapter } from './mailjet.adapter.js';

/** Mailjet wants exactly `200 OK` (spec B §7.4) and groups a second's events into one array. */
export function mailjetEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.mailjet;
  const adapter =
    c.basic.length + c.urlTokens.length > 0
      ? createMailjetAdapter({ credentials: { basic: c.basic, urlTokens: c.urlTokens } })
      : notConfigured('mailjet', 'BOUNCER_MAILJET_URL_TOKENS');
  const common = {
    adapter,
    auth: 'adapter' as const,
    bodyLimit: 'batch' as const,
    reply: 'exact-200' as const,
    allowedIps: c.allowedIps,
  };
  return [
    { id: 'mailjet', path: '/webhooks/mailjet', ...common },
    { id: 'mailjet-token', path: '/webhooks/mailjet/:token', ...common },
  ];
}
