import type { Config } from '../config.js';
import { bounceMailEndpoints } from './bounce-mail/bounce-mail.endpoints.js';
import { dripEndpoints } from './drip/drip.endpoints.js';
import { genericEndpoints } from './generic/generic.endpoints.js';
import { inboxroadEndpoints } from './inboxroad/inboxroad.endpoints.js';
import { sendgridEndpoints } from './sendgrid/sendgrid.endpoints.js';
import type { SnsCertificateSource } from './ses/sns-signature.js';
import { sesEndpoints } from './ses/ses.endpoints.js';
import { twilioEndpoints } from './twilio/twilio.endpoints.js';
import type { ProviderEndpoint } from './types.js';
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
