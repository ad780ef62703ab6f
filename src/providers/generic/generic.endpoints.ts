import type { ProviderEndpoint } from '../types.js';
import { createGenericAdapter } from './generic.adapter.js';

/** `POST /webhooks/bounce`: the listmonk-compatible generic API, a write-scoped API key. */
export function genericEndpoints(): ProviderEndpoint[] {
  return [
    {
      id: 'generic',
      path: '/webhooks/bounce',
      adapter: createGenericAdapter(),
      auth: 'api-key',
      bodyLimit: 'single',
      reply: 'generic',
    },
  ];
}
