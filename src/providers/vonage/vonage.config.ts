import { fail, type Reader } from '../../config.js';
import { parseSmsCodeOverrides, type SmsCodeAction } from '../shared/sms.js';
import { VONAGE_SIG_METHODS, type VonageSigMethod } from './vonage-signature.js';

export interface VonageConfig {
  /** Signature secrets (`BOUNCER_VONAGE_SIGNATURE_SECRET`, comma-separated for rotation). */
  signatureSecrets: string[];
  /** SMS API `sig` method chosen in the dashboard (`BOUNCER_VONAGE_SIGNATURE_METHOD`, default sha256). */
  signatureMethod: VonageSigMethod;
  /** Seconds a `timestamp` / JWT `iat` may differ from now (`BOUNCER_VONAGE_MAX_AGE_SECONDS`, 300). */
  maxAgeSeconds: number;
  /**
   * What an unsigned Messages API callback gets (`BOUNCER_VONAGE_UNSIGNED_REPLY`): `retry` (503,
   * default: Vonage re-sends it signed, spec C §8.4) or `reject` (the uniform 401).
   */
  unsignedReply: 'retry' | 'reject';
  /** SMS API `err-code` overrides (`BOUNCER_VONAGE_ERROR_CODES`). */
  errorCodes: Record<string, SmsCodeAction>;
  /** Messages API error code overrides (`BOUNCER_VONAGE_MESSAGES_ERROR_CODES`). */
  messagesErrorCodes: Record<string, SmsCodeAction>;
}

export function parseVonageConfig(r: Reader): VonageConfig {
  const method = r.string('BOUNCER_VONAGE_SIGNATURE_METHOD', 'sha256').toLowerCase();
  if (!(VONAGE_SIG_METHODS as readonly string[]).includes(method))
    fail('BOUNCER_VONAGE_SIGNATURE_METHOD', `must be one of ${VONAGE_SIG_METHODS.join(', ')}`);
  const unsigned = r.string('BOUNCER_VONAGE_UNSIGNED_REPLY', 'retry');
  if (unsigned !== 'retry' && unsigned !== 'reject')
    fail('BOUNCER_VONAGE_UNSIGNED_REPLY', 'must be retry or reject');
  const secrets = r.list('BOUNCER_VONAGE_SIGNATURE_SECRET');
  if (secrets.some((s) => s.length < 16))
    fail('BOUNCER_VONAGE_SIGNATURE_SECRET', 'every secret needs at least 16 characters');
  return {
    signatureSecrets: secrets,
    signatureMethod: method as VonageSigMethod,
    maxAgeSeconds: r.int('BOUNCER_VONAGE_MAX_AGE_SECONDS', 300, 1, 86_400),
    unsignedReply: unsigned,
    errorCodes: parseSmsCodeOverrides(
      r.raw('BOUNCER_VONAGE_ERROR_CODES'),
      'BOUNCER_VONAGE_ERROR_CODES',
    ),
    messagesErrorCodes: parseSmsCodeOverrides(
      r.raw('BOUNCER_VONAGE_MESSAGES_ERROR_CODES'),
      'BOUNCER_VONAGE_MESSAGES_ERROR_CODES',
    ),
  };
}
