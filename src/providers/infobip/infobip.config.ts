import { fail, type Reader } from '../../config.js';
import { checkSharedSecrets } from '../shared/credentials.js';
import { checkAllowList } from '../shared/source-ips.js';
import { parseSmsCodeOverrides, type SmsCodeAction } from '../shared/sms.js';

export interface InfobipConfig {
  /** Secret URL tokens (`BOUNCER_INFOBIP_URL_TOKEN`): Infobip signs nothing (spec C §13.2). */
  urlTokens: string[];
  /** `user:password` pairs for Basic auth in the notify URL (`BOUNCER_INFOBIP_BASIC_AUTH`). */
  basic: string[];
  /** Infobip's source networks (`BOUNCER_INFOBIP_ALLOWED_IPS`, CIDR list); empty: any. */
  allowedIps: string[];
  /** `error.id` overrides (`BOUNCER_INFOBIP_ERROR_CODES`). */
  errorCodes: Record<string, SmsCodeAction>;
}

export function parseInfobipConfig(r: Reader): InfobipConfig {
  const urlTokens = r.list('BOUNCER_INFOBIP_URL_TOKEN');
  const basic = r.list('BOUNCER_INFOBIP_BASIC_AUTH');
  const allowedIps = r.list('BOUNCER_INFOBIP_ALLOWED_IPS');
  for (const [setting, values, kind] of [
    ['BOUNCER_INFOBIP_URL_TOKEN', urlTokens, 'token'],
    ['BOUNCER_INFOBIP_BASIC_AUTH', basic, 'basic'],
  ] as const) {
    const problem = checkSharedSecrets(setting, values, kind);
    if (problem) fail(setting, problem.replace(`${setting}: `, ''));
  }
  const ips = checkAllowList('BOUNCER_INFOBIP_ALLOWED_IPS', allowedIps);
  if (ips) fail('BOUNCER_INFOBIP_ALLOWED_IPS', ips.replace('BOUNCER_INFOBIP_ALLOWED_IPS: ', ''));
  return {
    urlTokens,
    basic,
    allowedIps,
    errorCodes: parseSmsCodeOverrides(
      r.raw('BOUNCER_INFOBIP_ERROR_CODES'),
      'BOUNCER_INFOBIP_ERROR_CODES',
    ),
  };
}
