import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createTwilioInboundAdapter, createTwilioStatusAdapter } from './twilio.adapter.js';

/** Status callbacks and inbound messages; both answer empty TwiML (no auto-reply). */
export function twilioEndpoints(config: Readonly<Config>): ProviderEndpoint[] {
  const opts = {
    authTokens: config.twilio.authTokens,
    publicUrl: config.http.publicUrl ?? '',
    errorCodes: config.twilio.errorCodes,
  };
  const on = config.twilio.authTokens.length > 0;
  const off = notConfigured('twilio', 'BOUNCER_TWILIO_AUTH_TOKEN');
  return [
    {
      id: 'twilio-status',
      path: '/webhooks/twilio/status',
      adapter: on ? createTwilioStatusAdapter(opts) : off,
      auth: 'adapter',
      bodyLimit: 'single',
      reply: 'twiml',
    },
    {
      id: 'twilio-inbound',
      path: '/webhooks/twilio/inbound',
      adapter: on ? createTwilioInboundAdapter(opts) : off,
      auth: 'adapter',
      bodyLimit: 'single',
      reply: 'twiml',
    },
  ];
}
