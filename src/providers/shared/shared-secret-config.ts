import { fail } from '../../config.js';
import type { Reader } from '../../config.js';
import { checkSharedSecrets } from './credentials.js';
import { checkAllowList } from './source-ips.js';

/**
 * The settings of an unsigned provider, named `BOUNCER_<PREFIX>_BASIC_AUTH` (`user:password`,
 * comma-separated for rotation), `_URL_TOKENS` and `_ALLOWED_IPS` (CIDR list), validated at
 * start-up with a message that names the setting. `_URL_TOKEN` (singular) is accepted as well.
 */
export interface SharedSecretSettings {
  basic: string[];
  urlTokens: string[];
  allowedIps: string[];
}

function problem(message: string): never {
  const colon = message.indexOf(':');
  return fail(message.slice(0, colon), message.slice(colon + 1).trim());
}

/** A list of secrets, each checked like a URL token (16+ characters). */
export function readTokens(r: Reader, setting: string): string[] {
  const values = r.list(setting);
  const bad = checkSharedSecrets(setting, values, 'token');
  if (bad !== null) problem(bad);
  return values;
}

export function readSharedSecretSettings(r: Reader, prefix: string): SharedSecretSettings {
  const basicSetting = `BOUNCER_${prefix}_BASIC_AUTH`;
  const basic = r.list(basicSetting);
  const badBasic = checkSharedSecrets(basicSetting, basic, 'basic');
  if (badBasic !== null) problem(badBasic);
  const ipSetting = `BOUNCER_${prefix}_ALLOWED_IPS`;
  const allowedIps = r.list(ipSetting);
  const badIps = checkAllowList(ipSetting, allowedIps);
  if (badIps !== null) problem(badIps);
  // The singular spelling of the older providers (BOUNCER_INBOXROAD_URL_TOKEN) is read too.
  const urlTokens = [
    ...readTokens(r, `BOUNCER_${prefix}_URL_TOKENS`),
    ...readTokens(r, `BOUNCER_${prefix}_URL_TOKEN`),
  ];
  return { basic, urlTokens, allowedIps };
}
