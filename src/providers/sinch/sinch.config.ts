import type { Reader } from '../../config.js';
import { parseSmsCodeOverrides, type SmsCodeAction } from '../shared/sms.js';

export interface SinchConfig {
  /** Callback signing secrets (`BOUNCER_SINCH_WEBHOOK_SECRET`, comma-separated for rotation). */
  secrets: string[];
  /** Allowed clock difference (`BOUNCER_SINCH_TOLERANCE_SECONDS`, 300). */
  toleranceSeconds: number;
  /** Delivery report `code` overrides (`BOUNCER_SINCH_ERROR_CODES`). */
  errorCodes: Record<string, SmsCodeAction>;
}

export function parseSinchConfig(r: Reader): SinchConfig {
  return {
    secrets: r.list('BOUNCER_SINCH_WEBHOOK_SECRET'),
    toleranceSeconds: r.int('BOUNCER_SINCH_TOLERANCE_SECONDS', 300, 1, 86_400),
    errorCodes: parseSmsCodeOverrides(
      r.raw('BOUNCER_SINCH_ERROR_CODES'),
      'BOUNCER_SINCH_ERROR_CODES',
    ),
  };
}
