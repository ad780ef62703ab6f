import type { Reader } from '../../config.js';
import {
  readSharedSecretSettings,
  type SharedSecretSettings,
} from '../shared/shared-secret-config.js';

/**
 * Mailjet signs nothing (spec B §7.2): Basic auth in the callback URL's userinfo, and because its
 * test events reportedly arrive without the header (mailjet/api-documentation#33), a URL token.
 */
export type MailjetConfig = SharedSecretSettings;

export function parseMailjetConfig(r: Reader): MailjetConfig {
  return readSharedSecretSettings(r, 'MAILJET');
}
