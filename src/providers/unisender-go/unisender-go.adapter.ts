import { ParseError } from '../../core/errors.js';
import type { NormalisedEvent } from '../../core/events.js';
import { secretsForRequest, type AccountSecrets } from '../shared/account-secrets.js';
import { isObject, parseJsonBody } from '../shared/json-body.js';
import type {
  AdapterResult,
  ItemError,
  ProviderAdapter,
  VerifyResult,
  WebhookRequest,
} from '../types.js';
import { unisenderAuthMatches } from './unisender-go-signature.js';
import { mapUnisenderGoEvent } from './unisender-go.events.js';

export interface UnisenderGoAdapterOptions {
  apiKeys: readonly string[];
  accounts: AccountSecrets;
}

export interface UnisenderGoAdapter extends ProviderAdapter {
  verify(req: WebhookRequest): VerifyResult;
}

/** Events in one request; a body beyond this is not a Unisender Go batch. */
export const UNISENDER_GO_MAX_EVENTS = 10_000;

function eventsOf(body: unknown): Array<{ user: Record<string, unknown>; event: unknown }> {
  if (!isObject(body) || !Array.isArray(body.events_by_user))
    throw new ParseError('Unisender Go webhook: no events_by_user list');
  const out: Array<{ user: Record<string, unknown>; event: unknown }> = [];
  for (const user of body.events_by_user) {
    if (!isObject(user) || !Array.isArray(user.events)) continue;
    for (const event of user.events) out.push({ user, event });
    if (out.length > UNISENDER_GO_MAX_EVENTS)
      throw new ParseError(`Unisender Go webhook: more than ${UNISENDER_GO_MAX_EVENTS} events`);
  }
  return out;
}

/** `POST /webhooks/unisender-go[/:account]`: `auth` (in the body) = MD5 of the body with the API key in its place. */
export function createUnisenderGoAdapter(opts: UnisenderGoAdapterOptions): UnisenderGoAdapter {
  return {
    name: 'unisender-go',

    verify(req) {
      const keys = secretsForRequest(req.params, opts.apiKeys, opts.accounts);
      if (!keys.ok) return keys;
      if (req.rawBody.length === 0) return { ok: false, reason: 'empty body' };
      const ok = unisenderAuthMatches(req.rawBody, keys.secrets);
      if (ok === null) return { ok: false, reason: 'no auth field of 32 hex digits in the body' };
      return ok
        ? { ok: true }
        : { ok: false, reason: 'auth does not match any configured API key' };
    },

    parse(req): AdapterResult {
      const events: NormalisedEvent[] = [];
      const errors: ItemError[] = [];
      const skipped = new Set<string>();
      eventsOf(parseJsonBody(req.rawBody)).forEach(({ user, event }, index) => {
        const r = mapUnisenderGoEvent(event, user, req);
        if (r.kind === 'event') events.push(r.event);
        else if (r.kind === 'skip') skipped.add(r.reason);
        else errors.push({ index, error: r.error });
      });
      if (events.length === 0 && errors.length === 0)
        return { kind: 'ignored', reason: [...skipped].join('; ') || 'no events' };
      return { kind: 'events', events, errors };
    },
  };
}

/**
 * The GET Unisender Go sends when a webhook is created (§4.1, [3P]): answered 200, no credential
 * involved because nothing in it is read or acted on.
 */
export const unisenderGoProbeAdapter: ProviderAdapter = {
  name: 'unisender-go',
  verify: () => ({ ok: true }),
  parse: () => ({ kind: 'ignored', reason: 'Unisender Go URL check (GET)' }),
};
