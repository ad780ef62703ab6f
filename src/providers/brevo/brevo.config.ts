import type { Reader } from '../../config.js';
import {
  readSharedSecretSettings,
  readTokens,
  type SharedSecretSettings,
} from '../shared/shared-secret-config.js';

export interface BrevoConfig extends SharedSecretSettings {
  /**
   * Tokens of a webhook created with `"auth": {"type": "bearer", "token": "…"}` (spec B §6.2),
   * sent as `Authorization: Bearer <token>` (`BOUNCER_BREVO_BEARER_TOKENS`).
   */
  bearerTokens: string[];
}

export function parseBrevoConfig(r: Reader): BrevoConfig {
  return {
    ...readSharedSecretSettings(r, 'BREVO'),
    bearerTokens: readTokens(r, 'BOUNCER_BREVO_BEARER_TOKENS'),
  };
}
