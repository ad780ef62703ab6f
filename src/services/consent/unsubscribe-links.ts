import type { Config } from '../../config.js';
import { normaliseAddress } from '../../core/address.js';
import type { Clock } from '../../core/clock.js';
import { AppError, validationError } from '../../core/errors.js';
import { GLOBAL_SCOPE } from '../../core/events.js';
import { signUnsubscribeToken } from '../../core/unsubscribe-token.js';

export interface UnsubscribeLink {
  url: string;
  /** null when BOUNCER_UNSUBSCRIBE_MAIL_DOMAIN is not set. */
  mailto: string | null;
  /** The two headers RFC 8058 §3.1 asks a sender to add. */
  headers: { 'List-Unsubscribe': string; 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

const SCOPE_PATTERN = /^(\*|[A-Za-z0-9][A-Za-z0-9._:-]{0,99})$/;
const MAX_CAMPAIGN_LENGTH = 100;

/** Makes signed one-click unsubscribe links (no database: the token carries everything). */
export class UnsubscribeLinkService {
  constructor(private readonly deps: { config: Readonly<Config>; clock: Clock }) {}

  create(input: {
    address: string;
    scope?: string | undefined;
    campaign?: string | undefined;
  }): UnsubscribeLink {
    const { unsubscribe, http, defaultPhoneRegion } = this.deps.config;
    const secret = unsubscribe.secrets[0];
    if (secret === undefined || http.publicUrl === null)
      throw new AppError(
        'BOUNCER_ERR_CONFLICT',
        'unsubscribe links need BOUNCER_UNSUBSCRIBE_SECRETS and BOUNCER_PUBLIC_URL',
      );
    const n = normaliseAddress(input.address, defaultPhoneRegion);
    if (!n.ok) throw validationError('address', n.error);
    const scope = input.scope?.trim() || GLOBAL_SCOPE;
    if (!SCOPE_PATTERN.test(scope))
      throw validationError('scope', 'must be * or a group id (letters, digits, . _ : -)');
    const campaign = input.campaign?.trim() || null;
    if (campaign !== null && campaign.length > MAX_CAMPAIGN_LENGTH)
      throw validationError('campaign', `longer than ${MAX_CAMPAIGN_LENGTH} characters`);
    const token = signUnsubscribeToken(secret, {
      address: n.address,
      channel: n.channel,
      scope,
      issuedAt: Math.floor(this.deps.clock.now() / 1_000),
      campaign,
    });
    const url = `${http.publicUrl}/unsubscribe/${token}`;
    const mailto = unsubscribe.mailDomain
      ? `mailto:unsubscribe+${token}@${unsubscribe.mailDomain}?subject=unsubscribe`
      : null;
    return {
      url,
      mailto,
      headers: {
        'List-Unsubscribe': mailto ? `<${url}>, <${mailto}>` : `<${url}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    };
  }
}
