import { GLOBAL_SCOPE } from '../../core/events.js';
import { verifyFormNonce, verifyUnsubscribeToken } from '../../core/unsubscribe-token.js';
import { unsubscribeEvent } from '../shared/unsubscribe-event.js';
import type { AdapterResult, ProviderAdapter, VerifyResult, WebhookRequest } from '../types.js';

export interface UnsubscribeAdapterOptions {
  /** BOUNCER_UNSUBSCRIBE_SECRETS: every configured secret verifies (rotation). */
  secrets: readonly string[];
}

/** Scope ids a preference form may name: group ids are short slugs (services/consent). */
const SCOPE_PATTERN = /^(\*|[A-Za-z0-9][A-Za-z0-9._:-]{0,99})$/;

function form(req: WebhookRequest): URLSearchParams {
  return new URLSearchParams(req.rawBody.toString('utf8'));
}

/**
 * RFC 8058 one-click unsubscribe: `POST /unsubscribe/:token` with the form body
 * `List-Unsubscribe=One-Click` (§3.1). The token in the URL authorises the request; it is
 * self-verifying (core/unsubscribe-token.ts), so the request is verified without storage and
 * answered once the delivery is stored. The preference page posts here too, with a `scope` (a
 * group to leave, or `*` for everything) and a nonce bound to the token.
 */
export function createUnsubscribeAdapter(opts: UnsubscribeAdapterOptions): ProviderAdapter {
  return {
    name: 'unsubscribe',
    verify(req): VerifyResult {
      const token = verifyUnsubscribeToken(opts.secrets, req.params.token ?? '');
      if (!token.ok) return token;
      const body = form(req);
      const scope = body.get('scope');
      if (scope !== null) {
        if (!SCOPE_PATTERN.test(scope)) return { ok: false, reason: 'bad scope in form' };
        if (!verifyFormNonce(opts.secrets, req.params.token ?? '', body.get('nonce') ?? ''))
          return { ok: false, reason: 'preference form nonce does not match the token' };
      }
      return { ok: true };
    },
    parse(req): AdapterResult {
      const token = verifyUnsubscribeToken(opts.secrets, req.params.token ?? '');
      // A delivery stored under a secret that was later retired: nothing to apply.
      if (!token.ok) return { kind: 'ignored', reason: token.reason };
      const body = form(req);
      // RFC 8058 §3.1: the POST body names the one-click action; anything else changes nothing.
      if (body.get('List-Unsubscribe') !== 'One-Click')
        return { kind: 'ignored', reason: 'body is not List-Unsubscribe=One-Click' };
      const scope = body.get('scope');
      const event = unsubscribeEvent(
        token.claims,
        scope ?? token.claims.scope,
        req.receivedAt,
        scope === null ? 'one-click' : 'preferences',
      );
      if (scope === GLOBAL_SCOPE) event.details.everything = true;
      return { kind: 'events', events: [event], errors: [] };
    },
  };
}
