import type { Config } from '../../config.js';
import { AppError } from '../../core/errors.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createBirdAdapter } from './bird.adapter.js';
import { createMessageBirdAdapter } from './messagebird.adapter.js';

/**
 * Legacy MessageBird status reports (GET, also POST) and Bird platform webhooks (POST JSON). The
 * two share header names but not the signed string, hence two URLs.
 */
export function messageBirdEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.messagebird;
  const publicUrl = config.http.publicUrl;
  if ((c.signingKeys.length > 0 || c.birdSigningKeys.length > 0) && publicUrl === null)
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      'BOUNCER_PUBLIC_URL is required when BOUNCER_MESSAGEBIRD_SIGNING_KEY or BOUNCER_BIRD_SIGNING_KEY is set (the signatures cover the URL)',
    );
  const legacy =
    c.signingKeys.length > 0
      ? createMessageBirdAdapter({
          signingKeys: c.signingKeys,
          publicUrl: publicUrl ?? '',
          maxAgeSeconds: c.maxAgeSeconds,
          errorCodes: c.errorCodes,
        })
      : notConfigured('messagebird', 'BOUNCER_MESSAGEBIRD_SIGNING_KEY');
  const bird =
    c.birdSigningKeys.length > 0
      ? createBirdAdapter({
          signingKeys: c.birdSigningKeys,
          publicUrl: publicUrl ?? '',
          maxAgeSeconds: c.birdMaxAgeSeconds,
          errorCodes: c.errorCodes,
        })
      : notConfigured('bird', 'BOUNCER_BIRD_SIGNING_KEY');
  const base = { auth: 'adapter', bodyLimit: 'single', reply: 'standard' } as const;
  return [
    {
      ...base,
      id: 'messagebird-get',
      path: '/webhooks/messagebird',
      method: 'GET',
      adapter: legacy,
    },
    { ...base, id: 'messagebird', path: '/webhooks/messagebird', adapter: legacy },
    { ...base, id: 'bird', path: '/webhooks/bird', adapter: bird },
  ];
}
