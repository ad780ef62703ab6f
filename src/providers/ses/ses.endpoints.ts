import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { ProviderEndpoint } from '../types.js';
import { createSesAdapter } from './ses.adapter.js';
import type { SnsCertificateSource } from './sns-signature.js';

export function sesEndpoints(
  config: Readonly<Config>,
  deps: { snsCertificates: SnsCertificateSource },
): ProviderEndpoint[] {
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
  ];
}
