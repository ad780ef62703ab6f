import type { Reader } from '../../config.js';
import { parseSmsCodeOverrides, type SmsCodeAction } from '../shared/sms.js';

export interface MessageBirdConfig {
  /** Legacy REST API signing keys (`BOUNCER_MESSAGEBIRD_SIGNING_KEY`, comma-separated). */
  signingKeys: string[];
  /** Bird platform webhook signing keys (`BOUNCER_BIRD_SIGNING_KEY`, comma-separated). */
  birdSigningKeys: string[];
  /** Legacy timestamp window (`BOUNCER_MESSAGEBIRD_MAX_AGE_SECONDS`, 100 as the SDK). */
  maxAgeSeconds: number;
  /** Bird timestamp window (`BOUNCER_BIRD_MAX_AGE_SECONDS`, 300). */
  birdMaxAgeSeconds: number;
  /** GSM error code overrides for both (`BOUNCER_MESSAGEBIRD_ERROR_CODES`). */
  errorCodes: Record<string, SmsCodeAction>;
}

export function parseMessageBirdConfig(r: Reader): MessageBirdConfig {
  return {
    signingKeys: r.list('BOUNCER_MESSAGEBIRD_SIGNING_KEY'),
    birdSigningKeys: r.list('BOUNCER_BIRD_SIGNING_KEY'),
    maxAgeSeconds: r.int('BOUNCER_MESSAGEBIRD_MAX_AGE_SECONDS', 100, 1, 86_400),
    birdMaxAgeSeconds: r.int('BOUNCER_BIRD_MAX_AGE_SECONDS', 300, 1, 86_400),
    errorCodes: parseSmsCodeOverrides(
      r.raw('BOUNCER_MESSAGEBIRD_ERROR_CODES'),
      'BOUNCER_MESSAGEBIRD_ERROR_CODES',
    ),
  };
}
