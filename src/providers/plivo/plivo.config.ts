import type { Reader } from '../../config.js';
import { parseSmsCodeOverrides, type SmsCodeAction } from '../shared/sms.js';

export interface PlivoConfig {
  /** Auth tokens (`BOUNCER_PLIVO_AUTH_TOKEN`, comma-separated: account, main account, rotation). */
  authTokens: string[];
  /**
   * Accept V2 signatures when no V3 headers come (`BOUNCER_PLIVO_ALLOW_V2`, default true: Plivo's
   * messaging docs describe V2 only). V2 does not cover the parameters (spec C §9.2).
   */
  allowV2: boolean;
  /** `ErrorCode` overrides (`BOUNCER_PLIVO_ERROR_CODES`). */
  errorCodes: Record<string, SmsCodeAction>;
}

export function parsePlivoConfig(r: Reader): PlivoConfig {
  return {
    authTokens: r.list('BOUNCER_PLIVO_AUTH_TOKEN'),
    allowV2: r.bool('BOUNCER_PLIVO_ALLOW_V2', true),
    errorCodes: parseSmsCodeOverrides(
      r.raw('BOUNCER_PLIVO_ERROR_CODES'),
      'BOUNCER_PLIVO_ERROR_CODES',
    ),
  };
}
