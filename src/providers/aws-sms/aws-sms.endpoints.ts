import type { Config } from '../../config.js';
import { notConfigured } from '../shared/not-configured.js';
import type { SnsCertificateSource } from '../ses/sns-signature.js';
import type { ProviderEndpoint } from '../types.js';
import { createAwsSmsEventBridgeAdapter, createAwsSmsSnsAdapter } from './aws-sms.adapter.js';

/**
 * AWS End User Messaging SMS: SNS topic subscription (signed envelope) and EventBridge API
 * destination (token or Basic). Amazon SNS SMS (`Publish` to a number) has no webhook at all;
 * its opt-outs come in through `bouncer import` (docs/providers/aws-sms.md).
 */
export function awsSmsEndpoints(
  config: Readonly<Config>,
  deps: { snsCertificates: SnsCertificateSource },
): ProviderEndpoint[] {
  const c = config.awsSms;
  const sns =
    c.topicArns.length > 0
      ? createAwsSmsSnsAdapter({
          topicArns: c.topicArns,
          certificates: deps.snsCertificates,
          eventActions: c.eventActions,
        })
      : notConfigured('aws-sms', 'BOUNCER_AWS_SMS_TOPIC_ARNS');
  const eventBridge =
    c.urlTokens.length > 0 || c.basic.length > 0
      ? createAwsSmsEventBridgeAdapter({
          urlTokens: c.urlTokens,
          basic: c.basic,
          eventActions: c.eventActions,
        })
      : notConfigured('aws-sms', 'BOUNCER_AWS_SMS_URL_TOKEN');
  // SNS never retries a 4xx and EventBridge drops most (spec C §7.5, §14.5): only bad credentials get one.
  const base = { auth: 'adapter', bodyLimit: 'single', reply: 'standard' } as const;
  return [
    { ...base, id: 'aws-sms', path: '/webhooks/aws-sms', adapter: sns },
    {
      ...base,
      id: 'aws-sms-eventbridge',
      path: '/webhooks/aws-sms/eventbridge/:token',
      adapter: eventBridge,
    },
    {
      ...base,
      id: 'aws-sms-eventbridge-basic',
      path: '/webhooks/aws-sms/eventbridge',
      adapter: eventBridge,
    },
  ];
}
