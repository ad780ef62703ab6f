import { AppError, ParseError } from '../../core/errors.js';
import { isObject, parseJsonBody } from '../shared/json-body.js';
import type { AdapterResult, ProviderAdapter, VerifyResult, WebhookRequest } from '../types.js';
import { canonicalJson, mapMailgunEvent } from './mailgun.events.js';
import {
  legacyEventData,
  legacySignature,
  multipartFields,
  urlencodedFields,
  type FormFields,
} from './mailgun-legacy.js';
import {
  checkMailgunTimestamp,
  mailgunSignatureMatches,
  MailgunTokenCache,
  validToken,
  type MailgunSignatureBlock,
} from './mailgun-signature.js';

export interface MailgunAdapterOptions {
  /** Primary account signing keys: verify `/webhooks/mailgun` and every `parent-signature`. */
  signingKeys: readonly string[];
  /** Per-account keys for `/webhooks/mailgun/:account`. */
  accounts: Readonly<Record<string, readonly string[]>>;
  maxAgeSeconds: number;
  tokenCacheSize: number;
}

const MS_PER_SECOND = 1_000;

/** What a request says once its body is read: the signature block and the event-data. */
interface Envelope {
  signature: MailgunSignatureBlock | null;
  eventData: unknown;
  /** The bytes the replay cache ties the token to. */
  eventBytes: string;
}

function signatureOf(value: unknown): MailgunSignatureBlock | null {
  if (!isObject(value)) return null;
  const ts = value.timestamp;
  // §1.2: a decimal string; if a payload ever carries a number, String(n).
  const timestamp = typeof ts === 'string' ? ts : typeof ts === 'number' ? String(ts) : null;
  const { token, signature } = value;
  if (timestamp === null || typeof token !== 'string' || typeof signature !== 'string') return null;
  const parent = value['parent-signature'];
  return {
    timestamp,
    token,
    signature,
    parentSignature: typeof parent === 'string' ? parent : undefined,
  };
}

function formFields(req: WebhookRequest): FormFields | null {
  const type = req.headers['content-type'] ?? '';
  if (/^multipart\/form-data/i.test(type)) return multipartFields(req.rawBody, type);
  if (/^application\/x-www-form-urlencoded/i.test(type)) return urlencodedFields(req.rawBody);
  return null;
}

/** Reads the body; throws ParseError when it is neither Mailgun JSON nor a legacy form. */
function readEnvelope(req: WebhookRequest): Envelope {
  const form = formFields(req);
  if (form !== null) {
    const eventData = legacyEventData(form);
    return {
      signature: legacySignature(form),
      eventData,
      eventBytes: req.rawBody.toString('latin1'),
    };
  }
  const body = parseJsonBody(req.rawBody);
  if (!isObject(body)) throw new ParseError('Mailgun body is not a JSON object');
  const eventData = body['event-data'];
  return {
    signature: signatureOf(body.signature),
    eventData,
    eventBytes: canonicalJson(eventData ?? null),
  };
}

export function createMailgunAdapter(opts: MailgunAdapterOptions): ProviderAdapter {
  if (opts.signingKeys.length === 0 && Object.keys(opts.accounts).length === 0)
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      'BOUNCER_MAILGUN_SIGNING_KEYS: at least one key is required',
    );
  const cache = new MailgunTokenCache(opts.tokenCacheSize, opts.maxAgeSeconds * MS_PER_SECOND);

  const keysFor = (account: string | undefined): readonly string[] | null => {
    if (account === undefined) return opts.signingKeys;
    const own = Object.hasOwn(opts.accounts, account) ? opts.accounts[account] : undefined;
    // A sub-account's events also carry `parent-signature` under the primary key (§1.2).
    return own ? [...own, ...opts.signingKeys] : null;
  };

  return {
    name: 'mailgun',

    verify(req: WebhookRequest): VerifyResult {
      const keys = keysFor(req.params.account);
      if (keys === null || keys.length === 0)
        return {
          ok: false,
          reason: `no signing keys for account ${req.params.account ?? '(primary)'}`,
        };
      if (req.rawBody.length === 0) return { ok: false, reason: 'empty body' };
      let envelope: Envelope;
      try {
        envelope = readEnvelope(req);
      } catch {
        return { ok: false, reason: 'body is neither Mailgun JSON nor a form' };
      }
      const sig = envelope.signature;
      if (sig === null) return { ok: false, reason: 'missing signature block' };
      if (!validToken(sig.token)) return { ok: false, reason: 'missing or oversized token' };
      const time = checkMailgunTimestamp(sig.timestamp, req.receivedAt, opts.maxAgeSeconds);
      if (!time.ok) return time;
      if (!mailgunSignatureMatches(sig, keys))
        return { ok: false, reason: 'signature does not match any configured key' };
      if (!cache.admit(sig.token, sig.timestamp, envelope.eventBytes, req.receivedAt))
        return { ok: false, reason: 'token replayed with a different event' };
      return { ok: true };
    },

    parse(req: WebhookRequest): AdapterResult {
      const { eventData } = readEnvelope(req);
      if (eventData === undefined)
        return { kind: 'ignored', reason: 'no event-data (test request)' };
      const item = mapMailgunEvent(eventData, req.receivedAt, req.params.account ?? null);
      if (item.kind === 'skip') return { kind: 'ignored', reason: item.reason };
      if (item.kind === 'error') throw new ParseError(`Mailgun event: ${item.error}`);
      return { kind: 'events', events: [item.event], errors: [] };
    },
  };
}
