import { parseJsonBody, isObject } from '../shared/json-body.js';
import { secretsForRequest, type AccountSecrets } from '../shared/account-secrets.js';
import { hexHmacMatches, isHexSha256 } from '../shared/hmac-hex.js';
import type { AdapterResult, ProviderAdapter, VerifyResult, WebhookRequest } from '../types.js';
import { mapMailersendEvent } from './mailersend.events.js';

/**
 * The key MailerSend signs its dashboard test ping with, published in third-party code (spec
 * §1.2, KAT #2): a valid signature under it proves nothing about the sender.
 */
export const MAILERSEND_TEST_PING_KEY = 'test_Am3L1GuOIc4blLUuHqAPxxwkZaJyEk8G';

export interface MailersendAdapterOptions {
  secrets: readonly string[];
  accounts: AccountSecrets;
  acceptTestPing: boolean;
}

export interface MailersendAdapter extends ProviderAdapter {
  verify(req: WebhookRequest): VerifyResult;
}

function isTestPing(rawBody: Buffer): boolean {
  try {
    const body: unknown = JSON.parse(rawBody.toString('utf8'));
    return isObject(body) && body.type === 'webhook.test' && body.data === undefined;
  } catch {
    return false;
  }
}

/** `POST /webhooks/mailersend[/:account]`: `Signature` = hex HMAC-SHA256 of the raw body (§1.2). */
export function createMailersendAdapter(opts: MailersendAdapterOptions): MailersendAdapter {
  return {
    name: 'mailersend',

    verify(req) {
      const secrets = secretsForRequest(req.params, opts.secrets, opts.accounts);
      if (!secrets.ok) return secrets;
      const signature = req.headers.signature?.trim() ?? '';
      if (signature === '') return { ok: false, reason: 'missing Signature header' };
      if (!isHexSha256(signature)) return { ok: false, reason: 'Signature is not 64 hex digits' };
      if (req.rawBody.length === 0) return { ok: false, reason: 'empty body' };
      // §0 rule 1: the raw bytes, escaped slashes (`https:\/\/`) and all, never re-serialised JSON.
      if (hexHmacMatches(req.rawBody, signature, secrets.secrets)) return { ok: true };
      if (
        opts.acceptTestPing &&
        hexHmacMatches(req.rawBody, signature, [MAILERSEND_TEST_PING_KEY]) &&
        isTestPing(req.rawBody)
      )
        return { ok: true };
      return { ok: false, reason: 'Signature does not match any configured secret' };
    },

    parse(req): AdapterResult {
      const body = parseJsonBody(req.rawBody);
      return mapMailersendEvent(body, req);
    },
  };
}
