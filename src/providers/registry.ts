import type { Config } from '../config.js';
import { brevoEndpoints } from './brevo/brevo.endpoints.js';
import { awsSmsEndpoints } from './aws-sms/aws-sms.endpoints.js';
import { bounceMailEndpoints } from './bounce-mail/bounce-mail.endpoints.js';
import { dripEndpoints } from './drip/drip.endpoints.js';
import { genericEndpoints } from './generic/generic.endpoints.js';
import { inboxroadEndpoints } from './inboxroad/inboxroad.endpoints.js';
import { mailjetEndpoints } from './mailjet/mailjet.endpoints.js';
import { mailgunEndpoints } from './mailgun/mailgun.endpoints.js';
import { mandrillEndpoints } from './mandrill/mandrill.endpoints.js';
import { postmarkEndpoints } from './postmark/postmark.endpoints.js';
import { standardWebhooksEndpoints } from './standard-webhooks/standard-webhooks.endpoints.js';
import { mailersendEndpoints } from './mailersend/mailersend.endpoints.js';
import { postalEndpoints } from './postal/postal.endpoints.js';
import { mailtrapEndpoints } from './mailtrap/mailtrap.endpoints.js';
import { unisenderGoEndpoints } from './unisender-go/unisender-go.endpoints.js';
import { smtp2goEndpoints } from './smtp2go/smtp2go.endpoints.js';
import { elasticEmailEndpoints } from './elastic-email/elastic-email.endpoints.js';
import { sendgridEndpoints } from './sendgrid/sendgrid.endpoints.js';
import type { SnsCertificateSource } from './ses/sns-signature.js';
import { sesEndpoints } from './ses/ses.endpoints.js';
import { sparkpostEndpoints } from './sparkpost/sparkpost.endpoints.js';
import { twilioEndpoints } from './twilio/twilio.endpoints.js';
import { infobipEndpoints } from './infobip/infobip.endpoints.js';
import { messageBirdEndpoints } from './messagebird/messagebird.endpoints.js';
import { plivoEndpoints } from './plivo/plivo.endpoints.js';
import { sinchEndpoints } from './sinch/sinch.endpoints.js';
import { telnyxEndpoints } from './telnyx/telnyx.endpoints.js';
import type { ProviderEndpoint } from './types.js';
import { vonageEndpoints } from './vonage/vonage.endpoints.js';
import { unsubscribeEndpoints } from './unsubscribe/unsubscribe.endpoints.js';

/** What endpoint factories may need besides the configuration (I/O built by the caller). */
export interface RegistryDeps {
  /** Where SNS signing certificates come from (fetched and cached, or fixed files). */
  snsCertificates: SnsCertificateSource;
}

type EndpointFactory = (config: Readonly<Config>, deps: RegistryDeps) => ProviderEndpoint[];

/**
 * Every provider Bouncer speaks to, one factory per provider folder (`<name>/<name>.endpoints.ts`).
 * A provider without its settings still gets its routes, refusing with 401 (notConfigured).
 */
const PROVIDERS: readonly EndpointFactory[] = [
  genericEndpoints,
  dripEndpoints,
  bounceMailEndpoints,
  sendgridEndpoints,
  sesEndpoints,
  twilioEndpoints,
  inboxroadEndpoints,
  sparkpostEndpoints,
  brevoEndpoints,
  mailjetEndpoints,
  mailgunEndpoints,
  postmarkEndpoints,
  standardWebhooksEndpoints,
  mandrillEndpoints,
  mailersendEndpoints,
  postalEndpoints,
  mailtrapEndpoints,
  unisenderGoEndpoints,
  smtp2goEndpoints,
  elasticEmailEndpoints,
  vonageEndpoints,
  plivoEndpoints,
  telnyxEndpoints,
  messageBirdEndpoints,
  sinchEndpoints,
  infobipEndpoints,
  awsSmsEndpoints,
  unsubscribeEndpoints,
];

/** Config → the webhook endpoints, with ids and paths checked for collisions. */
export function buildProviderEndpoints(
  config: Readonly<Config>,
  deps: RegistryDeps,
  extra: readonly ProviderEndpoint[] = [],
): ProviderEndpoint[] {
  const endpoints = [...PROVIDERS.flatMap((f) => f(config, deps)), ...extra];
  const ids = new Set<string>();
  const routes = new Set<string>();
  for (const e of endpoints) {
    const route = `${e.method ?? 'POST'} ${e.path}`;
    if (ids.has(e.id)) throw new Error(`two webhook endpoints share the id ${e.id}`);
    if (routes.has(route)) throw new Error(`two webhook endpoints share the route ${route}`);
    ids.add(e.id);
    routes.add(route);
  }
  return endpoints;
}
