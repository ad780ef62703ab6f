import { fail } from '../../config.js';
import type { Reader } from '../../config.js';
import {
  readSharedSecretSettings,
  readTokens,
  type SharedSecretSettings,
} from '../shared/shared-secret-config.js';

/** Which scope a SparkPost list/link unsubscribe lands in (`BOUNCER_SPARKPOST_UNSUBSCRIBE_SCOPE`). */
export const SPARKPOST_UNSUBSCRIBE_SCOPES = ['global', 'subaccount', 'campaign'] as const;
export type SparkpostUnsubscribeScope = (typeof SPARKPOST_UNSUBSCRIBE_SCOPES)[number];

/** The deprecated `auth_token` header (spec B §5.2); also the default custom-header name. */
export const SPARKPOST_TOKEN_HEADER = 'x-messagesystems-webhook-token';

export interface SparkpostConfig extends SharedSecretSettings {
  /** Static header tokens (`BOUNCER_SPARKPOST_HEADER_TOKENS`): `auth_token` or a custom header. */
  headerTokens: string[];
  /** Header carrying them (`BOUNCER_SPARKPOST_TOKEN_HEADER`), lower-cased; default the auth_token one. */
  tokenHeader: string;
  /** Default `global`: SparkPost's own suppression list holds an unsubscribe account-wide. */
  unsubscribeScope: SparkpostUnsubscribeScope;
}

export function parseSparkpostConfig(r: Reader): SparkpostConfig {
  const tokenHeader = r
    .string('BOUNCER_SPARKPOST_TOKEN_HEADER', SPARKPOST_TOKEN_HEADER)
    .toLowerCase();
  if (!/^[a-z0-9-]{1,64}$/.test(tokenHeader))
    fail('BOUNCER_SPARKPOST_TOKEN_HEADER', 'must be an HTTP header name');
  const scope = r.string('BOUNCER_SPARKPOST_UNSUBSCRIBE_SCOPE', 'global');
  if (!(SPARKPOST_UNSUBSCRIBE_SCOPES as readonly string[]).includes(scope))
    fail(
      'BOUNCER_SPARKPOST_UNSUBSCRIBE_SCOPE',
      `must be one of ${SPARKPOST_UNSUBSCRIBE_SCOPES.join(', ')}`,
    );
  return {
    ...readSharedSecretSettings(r, 'SPARKPOST'),
    headerTokens: readTokens(r, 'BOUNCER_SPARKPOST_HEADER_TOKENS'),
    tokenHeader,
    unsubscribeScope: scope as SparkpostUnsubscribeScope,
  };
}
