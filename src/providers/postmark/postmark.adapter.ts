import { ParseError } from '../../core/errors.js';
import { verifySharedSecret, type SharedSecrets } from '../shared/credentials.js';
import { parseJsonLossless } from '../shared/json-lossless.js';
import type { AdapterResult, ProviderAdapter, VerifyResult, WebhookRequest } from '../types.js';
import { mapPostmarkRecord } from './postmark.events.js';

/**
 * Postmark signs nothing (spec §2.2): Basic auth (credentials in the webhook URL or `HttpAuth`) or
 * a secret URL token; the allow-list of source addresses is checked at the HTTP edge.
 */
export function createPostmarkAdapter(secrets: SharedSecrets): ProviderAdapter {
  return {
    name: 'postmark',
    verify(req: WebhookRequest): VerifyResult {
      return verifySharedSecret(req, secrets);
    },
    parse(req: WebhookRequest): AdapterResult {
      // §0.6: the bounce `ID` is an int64 above 2^53; read it losslessly.
      const result = mapPostmarkRecord(parseJsonLossless(req.rawBody), req.receivedAt);
      if (result.kind === 'skip') return { kind: 'ignored', reason: result.reason };
      if (result.kind === 'error') throw new ParseError(`Postmark record: ${result.error}`);
      return { kind: 'events', events: result.events, errors: [] };
    },
  };
}
