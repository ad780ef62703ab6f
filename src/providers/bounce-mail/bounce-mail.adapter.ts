import {
  bounceMailToEvents,
  parseBounceMail,
  unsubscribeTokensIn,
} from '../../bouncemail/index.js';
import { ParseError } from '../../core/errors.js';
import type { NormalisedEvent } from '../../core/events.js';
import { verifyUnsubscribeToken } from '../../core/unsubscribe-token.js';
import { unsubscribeEvent } from '../shared/unsubscribe-event.js';
import type { AdapterResult, ProviderAdapter, WebhookRequest } from '../types.js';

export interface BounceMailAdapterOptions {
  /** VERP pattern used when a request names none in its params (`BOUNCER_BOUNCE_MAIL_VERP`). */
  verp: string | null;
  /** mailto: unsubscribes (`unsubscribe+<token>@mailDomain`); absent or no domain: not read. */
  unsubscribe?: { secrets: readonly string[]; mailDomain: string | null };
}

/**
 * A mail sent to a List-Unsubscribe mailto: address (RFC 2369 §3.2): the token in the recipient
 * address says who and in which scope, once it verifies. Forged or retired tokens are dropped.
 */
function mailtoUnsubscribes(
  req: WebhookRequest,
  opts: BounceMailAdapterOptions['unsubscribe'],
): NormalisedEvent[] {
  if (!opts?.mailDomain || opts.secrets.length === 0) return [];
  const envelope = req.params.recipient ? [req.params.recipient] : [];
  const events: NormalisedEvent[] = [];
  for (const token of unsubscribeTokensIn(req.rawBody, opts.mailDomain, envelope)) {
    const check = verifyUnsubscribeToken(opts.secrets, token);
    if (check.ok)
      events.push(unsubscribeEvent(check.claims, check.claims.scope, req.receivedAt, 'mailto'));
  }
  return events;
}

/**
 * Raw bounce mail (one RFC 5322 message: a DSN, an ARF report, an MTA's plain-text notice).
 * Authenticated at the edge (an API key over HTTP, the operator's shell for the CLI, the
 * configured credentials for a mailbox), so `verify` has nothing left to check.
 *
 * Mailbox deliveries carry `params.mailbox` and `params.verp`, so the worker (and a replay)
 * parses the stored bytes exactly as the scanner did. A mail with no failure in it becomes a
 * ParseError, hence a dead delivery someone can inspect and replay once the parser learns the
 * format; an auto-reply is understood and ignored.
 */
export function createBounceMailAdapter(opts: BounceMailAdapterOptions): ProviderAdapter {
  return {
    name: 'bounce-mail',
    verify: () => ({ ok: true }),
    parse(req: WebhookRequest): AdapterResult {
      if (req.rawBody.length === 0)
        throw new ParseError('body: empty, expected one RFC 5322 message');
      const unsubscribes = mailtoUnsubscribes(req, opts.unsubscribe);
      if (unsubscribes.length > 0) return { kind: 'events', events: unsubscribes, errors: [] };
      const verp = req.params.verp ?? opts.verp ?? undefined;
      const parsed = parseBounceMail(req.rawBody, verp ? { verp } : {});
      const source = req.params.mailbox ? `mailbox:${req.params.mailbox}` : 'bounce-mail';
      const events = bounceMailToEvents(parsed, { receivedAt: req.receivedAt, provider: source });
      if (events.length > 0) return { kind: 'events', events, errors: [] };
      if (parsed.kind === 'autoreply') return { kind: 'ignored', reason: 'auto-reply' };
      if (parsed.recipients.length > 0)
        return { kind: 'ignored', reason: 'report names no failed recipient' };
      throw new ParseError('no bounce, complaint or auto-reply recognised in this message');
    },
  };
}
