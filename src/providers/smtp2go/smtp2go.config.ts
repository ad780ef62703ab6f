import { fail, type Reader } from '../../config.js';
import { checkSharedSecrets } from '../shared/credentials.js';
import { checkAllowList } from '../shared/source-ips.js';

export interface Smtp2goConfig {
  /** Tokens accepted in `/webhooks/smtp2go/:token` or as `Authorization: Bearer <token>` (`BOUNCER_SMTP2GO_TOKENS`). */
  tokens: string[];
  /** `user:password` pairs for `Authorization: Basic` (`BOUNCER_SMTP2GO_BASIC`). */
  basic: string[];
  /** Source networks allowed to call (`BOUNCER_SMTP2GO_ALLOWED_IPS`); empty: any. */
  allowedIps: string[];
}

export function parseSmtp2goConfig(r: Reader): Smtp2goConfig {
  const c = {
    tokens: r.list('BOUNCER_SMTP2GO_TOKENS'),
    basic: r.list('BOUNCER_SMTP2GO_BASIC'),
    allowedIps: r.list('BOUNCER_SMTP2GO_ALLOWED_IPS'),
  };
  for (const problem of [
    checkSharedSecrets('BOUNCER_SMTP2GO_TOKENS', c.tokens, 'token'),
    checkSharedSecrets('BOUNCER_SMTP2GO_BASIC', c.basic, 'basic'),
    checkAllowList('BOUNCER_SMTP2GO_ALLOWED_IPS', c.allowedIps),
  ])
    if (problem !== null)
      fail(problem.slice(0, problem.indexOf(':')), problem.slice(problem.indexOf(':') + 2));
  return c;
}
