import { maskAddress, normaliseEmail } from '../../core/address.js';
import type { FineReason } from '../../core/classify.js';
import { ParseError } from '../../core/errors.js';
import { makeEvent, type EventType, type NormalisedEvent } from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { bounceFields } from '../shared/email-bounce.js';
import { compact, utcEpochMs } from '../shared/fields.js';
import { matchesAny } from '../shared/secrets.js';
import type { AdapterResult, ProviderAdapter, VerifyResult, WebhookRequest } from '../types.js';

export interface ElasticEmailAdapterOptions {
  tokens: readonly string[];
}

export interface ElasticEmailAdapter extends ProviderAdapter {
  verify(req: WebhookRequest): VerifyResult;
}

/** §6.3 `status` values (matched case-insensitively). */
const STATUS: Readonly<Record<string, EventType>> = {
  sent: 'delivered',
  opened: 'open',
  clicked: 'click',
  error: 'bounce',
  abusereport: 'complaint',
  unsubscribed: 'unsubscribe',
};

type Verdict = { kind: 'hard' | 'soft'; fine?: FineReason } | { kind: 'sender'; fine: FineReason };

/** §6.4: what an `Error` notification's `category` says about the address. */
const CATEGORY: Readonly<Record<string, Verdict>> = {
  nomailbox: { kind: 'hard', fine: 'userunknown' },
  blacklisted: { kind: 'sender', fine: 'blocked' },
  spam: { kind: 'sender', fine: 'spamdetected' },
  contentfilter: { kind: 'sender', fine: 'contenterror' },
  spfproblem: { kind: 'sender', fine: 'authfailure' },
  accountproblem: { kind: 'sender', fine: 'rejected' },
  whitelistingproblem: { kind: 'sender', fine: 'blocked' },
  greylisted: { kind: 'soft', fine: 'blocked' },
  throttled: { kind: 'soft', fine: 'ratelimited' },
  timeout: { kind: 'soft', fine: 'expired' },
  connectionproblem: { kind: 'soft', fine: 'networkerror' },
  dnsproblem: { kind: 'soft', fine: 'networkerror' },
  connectionterminated: { kind: 'soft', fine: 'networkerror' },
  notdelivered: { kind: 'soft' },
  unknown: { kind: 'soft' },
  codeerror: { kind: 'soft', fine: 'systemerror' },
};

function errorFields(category: string | null): Partial<NormalisedEvent> {
  const key = category?.toLowerCase() ?? '';
  // Elastic Email did not send: already on its suppression list (newer docs), or cancelled.
  if (key === 'suppressed')
    return { type: 'dropped', reason: 'hard_bounce', severity: 'hard', fineReason: 'suppressed' };
  if (key === 'ignore' || key === 'manualcancel') return { type: 'dropped', reason: null };
  const v: Verdict = (Object.hasOwn(CATEGORY, key) ? CATEGORY[key] : undefined) ?? { kind: 'soft' };
  if (v.kind === 'sender')
    return { reason: null, severity: 'soft', fineReason: v.fine, diagnostic: category };
  const fields = bounceFields(null, v.kind, { knownReason: v.fine ?? null });
  // Greylisting and throttling name a sender-side reason but still count as a soft failure here.
  const reason = v.kind === 'hard' ? 'hard_bounce' : 'soft_bounce';
  return { ...fields, reason, severity: v.kind, diagnostic: category };
}

function parse(req: WebhookRequest): AdapterResult {
  const q = new URL(req.url, 'http://bouncer.invalid').searchParams;
  const get = (name: string): string | null => {
    const v = q.get(name);
    return v === null || v.trim() === '' ? null : v;
  };
  const status = get('status');
  if (status === null) throw new ParseError('Elastic Email notification: missing status');
  const key = status.toLowerCase();
  const type = Object.hasOwn(STATUS, key) ? STATUS[key] : undefined;
  if (type === undefined)
    return { kind: 'ignored', reason: `Elastic Email ${status.slice(0, 40)} is not used` };
  const to = get('to');
  if (to === null) throw new ParseError(`Elastic Email ${status}: missing to`);
  const address = normaliseEmail(to);
  if (!address.ok)
    throw new ParseError(`Elastic Email ${status}: to ${maskAddress(to)} is invalid`);
  const category = get('category');
  const fields: Partial<NormalisedEvent> =
    type === 'bounce'
      ? errorFields(category)
      : {
          reason:
            type === 'complaint' ? 'spam_complaint' : type === 'unsubscribe' ? 'unsubscribe' : null,
        };
  const event = makeEvent({
    type,
    channel: 'email',
    address: address.address,
    occurredAt: utcEpochMs(get('date'), req.receivedAt),
    // §6.4: no event id.
    dedupKey: dedupHash(
      'elastic-email',
      get('messageid'),
      get('transaction'),
      status,
      category,
      get('date'),
      get('target'),
      to.toLowerCase(),
    ),
    providerMessageId: get('messageid'),
    campaign: get('channel'),
    ...fields,
    details: compact({
      status,
      category,
      transaction: get('transaction'),
      target: get('target'),
      postback: get('postback'),
    }),
  });
  return { kind: 'events', events: [event], errors: [] };
}

/**
 * `GET /webhooks/elastic-email/:token?status=…&to=…`: unsigned (§6.2); the path token is the only
 * credential. It ends up in the access logs of every proxy on the way: Bouncer itself logs route
 * patterns, never the URL.
 */
export function createElasticEmailAdapter(opts: ElasticEmailAdapterOptions): ElasticEmailAdapter {
  return {
    name: 'elastic-email',
    verify(req) {
      const token = req.params.token ?? '';
      if (token === '') return { ok: false, reason: 'missing URL token' };
      return matchesAny(token, opts.tokens)
        ? { ok: true }
        : { ok: false, reason: 'URL token does not match any configured one' };
    },
    parse,
  };
}
