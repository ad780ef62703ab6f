import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createVonageMessagesAdapter } from './vonage-messages.adapter.js';
import { createVonageSmsAdapter } from './vonage.adapter.js';

/**
 * SMS API receipts and inbound (GET or POST, `sig`-signed) and Messages API status and inbound
 * (POST, JWT). Answered 200 (`standard`); Vonage counts 200–205 as success (§8.6).
 */
export function vonageEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const c = config.vonage;
  const on = c.signatureSecrets.length > 0;
  const off = notConfigured('vonage', 'BOUNCER_VONAGE_SIGNATURE_SECRET');
  const sms = on
    ? createVonageSmsAdapter({
        signatureSecrets: c.signatureSecrets,
        signatureMethod: c.signatureMethod,
        maxAgeSeconds: c.maxAgeSeconds,
        errorCodes: c.errorCodes,
      })
    : off;
  const messages = on
    ? createVonageMessagesAdapter({
        signatureSecrets: c.signatureSecrets,
        maxAgeSeconds: c.maxAgeSeconds,
        unsignedReply: c.unsignedReply,
        errorCodes: c.messagesErrorCodes,
      })
    : off;
  const base = { auth: 'adapter', bodyLimit: 'single', reply: 'standard' } as const;
  return [
    { ...base, id: 'vonage-sms', path: '/webhooks/vonage', adapter: sms },
    { ...base, id: 'vonage-sms-get', path: '/webhooks/vonage', method: 'GET', adapter: sms },
    { ...base, id: 'vonage-messages', path: '/webhooks/vonage/messages', adapter: messages },
  ];
}
