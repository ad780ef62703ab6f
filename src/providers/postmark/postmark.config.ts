import { fail, type Reader } from '../../config.js';
import { checkSharedSecrets } from '../shared/credentials.js';
import { checkAllowList } from '../shared/source-ips.js';

/** Postmark signs nothing (spec §2.2): Basic auth, a secret URL token, optionally source IPs. */
export interface PostmarkConfig {
  /** `user:password` pairs (`BOUNCER_POSTMARK_BASIC_AUTH`, comma-separated; several for rotation). */
  basicAuth: string[];
  /** Secret tokens for `/webhooks/postmark/<token>` (`BOUNCER_POSTMARK_URL_TOKEN`). */
  urlTokens: string[];
  /** Source networks allowed to call (`BOUNCER_POSTMARK_ALLOWED_IPS`); empty: any source. */
  allowedIps: string[];
}

export function parsePostmarkConfig(r: Reader): PostmarkConfig {
  const config = {
    basicAuth: r.list('BOUNCER_POSTMARK_BASIC_AUTH'),
    urlTokens: r.list('BOUNCER_POSTMARK_URL_TOKEN'),
    allowedIps: r.list('BOUNCER_POSTMARK_ALLOWED_IPS'),
  };
  const problem =
    checkSharedSecrets('BOUNCER_POSTMARK_BASIC_AUTH', config.basicAuth, 'basic') ??
    checkSharedSecrets('BOUNCER_POSTMARK_URL_TOKEN', config.urlTokens, 'token') ??
    checkAllowList('BOUNCER_POSTMARK_ALLOWED_IPS', config.allowedIps);
  if (problem !== null) {
    const [setting = '', ...rest] = problem.split(': ');
    fail(setting, rest.join(': '));
  }
  return config;
}
