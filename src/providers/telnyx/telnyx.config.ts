import { fail, type Reader } from '../../config.js';
import { parseSmsCodeOverrides, type SmsCodeAction } from '../shared/sms.js';
import { telnyxPublicKey } from './telnyx-signature.js';

export interface TelnyxConfig {
  /** Base64 Ed25519 public keys from Mission Control (`BOUNCER_TELNYX_PUBLIC_KEY`, comma-separated). */
  publicKeys: string[];
  /** Allowed clock difference of `telnyx-timestamp` (`BOUNCER_TELNYX_TOLERANCE_SECONDS`, 300 as the SDK). */
  toleranceSeconds: number;
  /** Error code overrides (`BOUNCER_TELNYX_ERROR_CODES`). */
  errorCodes: Record<string, SmsCodeAction>;
}

export function parseTelnyxConfig(r: Reader): TelnyxConfig {
  const publicKeys = r.list('BOUNCER_TELNYX_PUBLIC_KEY');
  for (const k of publicKeys) {
    try {
      telnyxPublicKey(k);
    } catch (err) {
      fail(
        'BOUNCER_TELNYX_PUBLIC_KEY',
        `is not a base64 Ed25519 public key: ${(err as Error).message}`,
      );
    }
  }
  return {
    publicKeys,
    toleranceSeconds: r.int('BOUNCER_TELNYX_TOLERANCE_SECONDS', 300, 1, 86_400),
    errorCodes: parseSmsCodeOverrides(
      r.raw('BOUNCER_TELNYX_ERROR_CODES'),
      'BOUNCER_TELNYX_ERROR_CODES',
    ),
  };
}
