import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createSesAdapter } from './ses.adapter.js';
import { createSesEventBridgeAdapter } from './ses-eventbridge.adapter.js';
import type { SnsCertificateSource } from './sns-signature.js';

export function sesEndpoints(
  config: Readonly<Config>,
  deps: { snsCertificates: SnsCertificateSource },
): ProviderEndpoint[] {
  const eb = config.sesEventBridge;
  return [
    {
      id: 'ses',
      path: '/webhooks/ses',
      adapter:
        config.ses.topicArns.length > 0
          ? createSesAdapter({
              topicArns: config.ses.topicArns,
              certificates: deps.snsCertificates,
            })
          : notConfigured('ses', 'BOUNCER_SES_TOPIC_ARNS'),
      auth: 'adapter',
      bodyLimit: 'batch',
      reply: 'standard',
    },
    {
      // Spec C §7: SES → EventBridge → API destination. Unsigned: the connection's credential.
      // EventBridge does not retry most 4xx, so only a bad credential is answered 401.
      id: 'ses-eventbridge',
      path: '/webhooks/ses/eventbridge',
      adapter:
        eb.tokens.length > 0 || eb.basic.length > 0
          ? createSesEventBridgeAdapter(eb)
          : notConfigured('ses', 'BOUNCER_SES_EVENTBRIDGE_TOKENS'),
      auth: 'adapter',
      bodyLimit: 'batch',
      reply: 'standard',
      allowedIps: eb.allowedIps,
      secretHeaders: [eb.header],
    },
  ];
}
