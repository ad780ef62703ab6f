import { parseJsonText } from '../shared/json-body.js';
import { maskAddress, normaliseEmail } from '../../core/address.js';
import { AppError, ParseError } from '../../core/errors.js';
import { makeEvent, type NormalisedEvent } from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { classifyInboxroadBounce } from './inboxroad-categories.js';
import { fieldText as str, parseDsn, parseTimeLogged } from './inboxroad-fields.js';
import { basicPassword, matchesAny } from '../shared/secrets.js';
import type {
  AdapterResult,
  ItemError,
  ProviderAdapter,
  VerifyResult,
  WebhookRequest,
} from '../types.js';

export interface InboxroadAdapterOptions {
  /**
   * Secret URL tokens (`BOUNCER_INBOXROAD_URL_TOKEN`, comma-separated for rotation), each at least
   * `INBOXROAD_MIN_TOKEN_LENGTH` characters. Inboxroad signs nothing (spec §5.1): the token in
   * `/webhooks/inboxroad/:token` (or the password of HTTP Basic auth) is the only credential.
   */
  urlTokens: readonly string[];
}

/** A guessable token would make the endpoint open to anyone: 16 characters is 64+ bits as hex. */
export const INBOXROAD_MIN_TOKEN_LENGTH = 16;

/** PowerMTA record types Inboxroad sends (spec §5.1); `t`, `tq`, `r`, `rs`… are skipped. */
const RECORD_TYPES = { d: 'delivered', b: 'bounce', rb: 'bounce', f: 'complaint' } as const;
type RecordType = keyof typeof RECORD_TYPES;

class RecordError extends Error {}

/** Token checks are synchronous; the narrower type saves callers an await. */
export interface InboxroadAdapter extends ProviderAdapter {
  verify(req: WebhookRequest): VerifyResult;
}

function checkedTokens(urlTokens: readonly string[]): string[] {
  const tokens = urlTokens.map((t) => t.trim()).filter((t) => t !== '');
  if (tokens.length === 0)
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      'BOUNCER_INBOXROAD_URL_TOKEN: at least one URL token is required',
    );
  if (tokens.some((t) => t.length < INBOXROAD_MIN_TOKEN_LENGTH)) {
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      `BOUNCER_INBOXROAD_URL_TOKEN: every token needs at least ${INBOXROAD_MIN_TOKEN_LENGTH} characters`,
    );
  }
  return tokens;
}

function createVerifier(tokens: string[]): (req: WebhookRequest) => VerifyResult {
  return (req) => {
    const pathToken = req.params.token ?? '';
    const password = basicPassword(req.headers.authorization) ?? null;
    if (pathToken === '' && password === null)
      return { ok: false, reason: 'missing URL token and Basic auth' };
    // Both are checked, whatever the first says, so timing does not tell which one matched.
    const pathOk = matchesAny(pathToken, tokens) && pathToken !== '';
    const basicOk = matchesAny(password ?? '', tokens) && password !== null;
    return pathOk || basicOk
      ? { ok: true }
      : { ok: false, reason: 'URL token does not match any configured token' };
  };
}

function field(record: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(record, name)) return record[name];
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}

function parseRecord(record: unknown, req: WebhookRequest): NormalisedEvent | { skipped: string } {
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    throw new RecordError('record is not a JSON object');
  const r = record as Record<string, unknown>;
  const type = str(r.type)?.toLowerCase() ?? '';
  if (!Object.hasOwn(RECORD_TYPES, type)) return { skipped: type.slice(0, 16) || '(none)' };
  const rcpt = str(r.rcpt);
  if (rcpt === null) throw new RecordError('missing rcpt');
  const address = normaliseEmail(rcpt);
  if (!address.ok)
    throw new RecordError(
      `rcpt ${maskAddress(rcpt)} is not a valid email address (${address.error})`,
    );
  const messageId = str(field(r, 'header_Message-Id'));
  const dsnStatus = str(r.dsnStatus);
  const dsn = parseDsn(dsnStatus, str(r.dsnDiag));
  const bounceCat = str(r.bounceCat);
  const base = {
    channel: 'email' as const,
    address: address.address,
    occurredAt: parseTimeLogged(r.timeLogged) ?? req.receivedAt,
    dedupKey: dedupHash(type, rcpt.toLowerCase(), messageId, str(r.timeLogged), dsnStatus),
    providerMessageId: messageId,
    ...dsn,
    details: detailsOf(r, type, bounceCat),
  };
  const kind = RECORD_TYPES[type as RecordType];
  if (kind === 'delivered') return makeEvent({ ...base, type: 'delivered' });
  // `f` is a feedback-loop (ARF) complaint whatever bounceCat says (§5.2).
  if (kind === 'complaint')
    return makeEvent({
      ...base,
      type: 'complaint',
      reason: 'spam_complaint',
      fineReason: 'feedback',
    });
  const verdict = classifyInboxroadBounce(bounceCat, dsn);
  return makeEvent({
    ...base,
    type: 'bounce',
    reason: verdict.reason,
    severity: verdict.severity,
    fineReason: verdict.fineReason,
  });
}

function detailsOf(
  r: Record<string, unknown>,
  type: string,
  bounceCat: string | null,
): Record<string, unknown> {
  const details: Record<string, unknown> = { recordType: type };
  for (const [key, value] of [
    ['bounceCat', bounceCat],
    ['dsnAction', str(r.dsnAction)],
    ['rcvSmtpUser', str(r.rcvSmtpUser)],
    ['vmta', str(r.vmta)],
    ['timeLogged', str(r.timeLogged)],
  ] as const) {
    if (value !== null) details[key] = value;
  }
  return details;
}

function readRecords(rawBody: Buffer): unknown[] {
  const text = rawBody.toString('utf8');
  if (text.trim() === '') throw new ParseError('Inboxroad webhook: empty body');
  const body = parseJsonText(text, 'Inboxroad webhook: body');
  // Documented as one object per POST; arrays are accepted as a third-party integration sends them (§5.3).
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null) return [body];
  throw new ParseError('Inboxroad webhook: body is neither a JSON object nor an array');
}

function parse(req: WebhookRequest): AdapterResult {
  const events: NormalisedEvent[] = [];
  const errors: ItemError[] = [];
  const skipped = new Set<string>();
  readRecords(req.rawBody).forEach((record, index) => {
    try {
      const result = parseRecord(record, req);
      if ('skipped' in result) skipped.add(result.skipped);
      else events.push(result);
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      errors.push({ index, error: err.message });
    }
  });
  if (events.length === 0 && errors.length === 0) {
    return {
      kind: 'ignored',
      reason: `no delivery, bounce or complaint records (types: ${[...skipped].join(', ') || 'none'})`,
    };
  }
  return { kind: 'events', events, errors };
}

/** `POST /webhooks/inboxroad/:token`: PowerMTA accounting records as JSON (spec §5). */
export function createInboxroadAdapter(opts: InboxroadAdapterOptions): InboxroadAdapter {
  return { name: 'inboxroad', verify: createVerifier(checkedTokens(opts.urlTokens)), parse };
}
