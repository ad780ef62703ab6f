import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createSmtp2goAdapter } from './smtp2go.adapter.js';

/** SMTP2GO signs nothing (spec §5.2): a URL token, a Bearer token or Basic credentials. */
export function smtp2goEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.smtp2go;
  const adapter =
    c.tokens.length > 0 || c.basic.length > 0
      ? createSmtp2goAdapter(c)
      : notConfigured('smtp2go', 'BOUNCER_SMTP2GO_TOKENS');
  const base = {
    adapter,
    auth: 'adapter',
    bodyLimit: 'single',
    reply: 'standard',
    allowedIps: c.allowedIps,
  } as const;
  return [
    { id: 'smtp2go', path: '/webhooks/smtp2go', ...base },
    { id: 'smtp2go-token', path: '/webhooks/smtp2go/:token', ...base },
  ];
}
