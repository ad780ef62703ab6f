import { fail, type Reader } from '../../config.js';
import { checkSharedSecrets } from '../shared/credentials.js';
import { checkAllowList } from '../shared/source-ips.js';

export interface SesEventBridgeConfig {
  /** API-key values the connection sends (`BOUNCER_SES_EVENTBRIDGE_TOKENS`, rotation). */
  tokens: string[];
  /**
   * Header the EventBridge connection puts the API key in (`BOUNCER_SES_EVENTBRIDGE_HEADER`,
   * default `x-bouncer-token`; `authorization` takes `Bearer <token>` or the bare token).
   */
  header: string;
  /** `user:password` pairs of a Basic-auth connection (`BOUNCER_SES_EVENTBRIDGE_BASIC`). */
  basic: string[];
  /** Source networks allowed to call (`BOUNCER_SES_EVENTBRIDGE_ALLOWED_IPS`); empty: any. */
  allowedIps: string[];
}

const HEADER_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function parseSesEventBridgeConfig(r: Reader): SesEventBridgeConfig {
  const c: SesEventBridgeConfig = {
    tokens: r.list('BOUNCER_SES_EVENTBRIDGE_TOKENS'),
    header: r.string('BOUNCER_SES_EVENTBRIDGE_HEADER', 'x-bouncer-token').trim().toLowerCase(),
    basic: r.list('BOUNCER_SES_EVENTBRIDGE_BASIC'),
    allowedIps: r.list('BOUNCER_SES_EVENTBRIDGE_ALLOWED_IPS'),
  };
  if (!HEADER_NAME.test(c.header))
    fail('BOUNCER_SES_EVENTBRIDGE_HEADER', 'must be an HTTP header name such as x-bouncer-token');
  for (const problem of [
    checkSharedSecrets('BOUNCER_SES_EVENTBRIDGE_TOKENS', c.tokens, 'token'),
    checkSharedSecrets('BOUNCER_SES_EVENTBRIDGE_BASIC', c.basic, 'basic'),
    checkAllowList('BOUNCER_SES_EVENTBRIDGE_ALLOWED_IPS', c.allowedIps),
  ])
    if (problem !== null)
      fail(problem.slice(0, problem.indexOf(':')), problem.replace(/^[A-Z_]+: /, ''));
  return c;
}
