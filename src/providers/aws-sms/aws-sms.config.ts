import { fail, type Reader } from '../../config.js';
import { checkSharedSecrets } from '../shared/credentials.js';
import { parseSmsCodeOverrides, type SmsCodeAction } from '../shared/sms.js';

export interface AwsSmsConfig {
  /** SNS topics of the event destination and two-way SMS (`BOUNCER_AWS_SMS_TOPIC_ARNS`). */
  topicArns: string[];
  /** EventBridge API destination credentials: URL tokens (`BOUNCER_AWS_SMS_URL_TOKEN`). */
  urlTokens: string[];
  /** ...or Basic `user:password` pairs (`BOUNCER_AWS_SMS_BASIC_AUTH`). */
  basic: string[];
  /** `eventType` → action overrides (`BOUNCER_AWS_SMS_ERROR_CODES`, e.g. {"TEXT_CARRIER_BLOCKED":"carrier_rejection"}). */
  eventActions: Record<string, SmsCodeAction>;
}

export function parseAwsSmsConfig(r: Reader): AwsSmsConfig {
  const urlTokens = r.list('BOUNCER_AWS_SMS_URL_TOKEN');
  const basic = r.list('BOUNCER_AWS_SMS_BASIC_AUTH');
  for (const [setting, values, kind] of [
    ['BOUNCER_AWS_SMS_URL_TOKEN', urlTokens, 'token'],
    ['BOUNCER_AWS_SMS_BASIC_AUTH', basic, 'basic'],
  ] as const) {
    const problem = checkSharedSecrets(setting, values, kind);
    if (problem) fail(setting, problem.replace(`${setting}: `, ''));
  }
  return {
    topicArns: r.list('BOUNCER_AWS_SMS_TOPIC_ARNS'),
    urlTokens,
    basic,
    eventActions: parseSmsCodeOverrides(
      r.raw('BOUNCER_AWS_SMS_ERROR_CODES'),
      'BOUNCER_AWS_SMS_ERROR_CODES',
      /^TEXT_[A-Z_]+$/,
    ),
  };
}
