import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createInfobipAdapter } from './infobip.adapter.js';

/** Notify URL with a secret token (or Basic credentials), optionally limited to Infobip's IPs. */
export function infobipEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.infobip;
  const adapter =
    c.urlTokens.length > 0 || c.basic.length > 0
      ? createInfobipAdapter({ urlTokens: c.urlTokens, basic: c.basic, errorCodes: c.errorCodes })
      : notConfigured('infobip', 'BOUNCER_INFOBIP_URL_TOKEN');
  const base = {
    adapter,
    auth: 'adapter',
    bodyLimit: 'batch',
    reply: 'standard',
    allowedIps: c.allowedIps,
  } as const;
  return [
    { ...base, id: 'infobip', path: '/webhooks/infobip/:token' },
    { ...base, id: 'infobip-basic', path: '/webhooks/infobip' },
  ];
}
