import type { Config } from '../../config.js';
import { AppError } from '../../core/errors.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createPlivoAdapter } from './plivo.adapter.js';

/** Status callbacks and inbound messages, POST (form) or GET (query): both signed alike. */
export function plivoEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.plivo;
  const on = c.authTokens.length > 0;
  if (on && config.http.publicUrl === null)
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      'BOUNCER_PUBLIC_URL is required when BOUNCER_PLIVO_AUTH_TOKEN is set (Plivo signs the URL it calls)',
    );
  const adapter = on
    ? createPlivoAdapter({
        authTokens: c.authTokens,
        publicUrl: config.http.publicUrl ?? '',
        allowV2: c.allowV2,
        errorCodes: c.errorCodes,
      })
    : notConfigured('plivo', 'BOUNCER_PLIVO_AUTH_TOKEN');
  const base = { adapter, auth: 'adapter', bodyLimit: 'single', reply: 'standard' } as const;
  return [
    { ...base, id: 'plivo', path: '/webhooks/plivo' },
    { ...base, id: 'plivo-get', path: '/webhooks/plivo', method: 'GET' },
  ];
}
