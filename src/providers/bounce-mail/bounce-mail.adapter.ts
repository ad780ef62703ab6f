import { bounceMailToEvents, parseBounceMail } from '../../bouncemail/index.js';
import { ParseError } from '../../core/errors.js';
import type { AdapterResult, ProviderAdapter, WebhookRequest } from '../types.js';

export interface BounceMailAdapterOptions {
  /** VERP pattern used when a request names none in its params (`BOUNCER_BOUNCE_MAIL_VERP`). */
  verp: string | null;
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
