import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createUnisenderGoAdapter, unisenderGoProbeAdapter } from './unisender-go.adapter.js';

/**
 * Batches (`events_by_user[].events[]`, spec §4.1); Unisender Go probes the URL with a GET when
 * the webhook is created and wants 200 [3P]: the GET routes answer it and read nothing.
 */
export function unisenderGoEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.unisenderGo;
  const on = c.apiKeys.length > 0 || Object.keys(c.accounts).length > 0;
  const off = notConfigured('unisender-go', 'BOUNCER_UNISENDER_GO_API_KEYS');
  const adapter = on ? createUnisenderGoAdapter(c) : off;
  const base = { adapter, auth: 'adapter', bodyLimit: 'batch', reply: 'standard' } as const;
  const probe = {
    adapter: on ? unisenderGoProbeAdapter : off,
    auth: 'adapter',
    bodyLimit: 1_024,
    reply: 'standard',
    method: 'GET',
  } as const;
  return [
    { id: 'unisender-go', path: '/webhooks/unisender-go', ...base },
    { id: 'unisender-go-account', path: '/webhooks/unisender-go/:account', ...base },
    { id: 'unisender-go-probe', path: '/webhooks/unisender-go', ...probe },
    { id: 'unisender-go-account-probe', path: '/webhooks/unisender-go/:account', ...probe },
  ];
}
