import type Mail from 'nodemailer/lib/mailer/index.js';
import type MailMessage from 'nodemailer/lib/mailer/mail-message.js';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { BouncerClient } from './index.js';
import { BouncerError } from './errors.js';
import type { Purpose, UnsubscribeLink } from './types.js';

/*
 * A Nodemailer plugin for the `compile` step: it runs before the message is built, so removing
 * a recipient from to/cc/bcc also removes it from the SMTP envelope Nodemailer derives from
 * them (and from an explicit `envelope`, filtered too). Import path: `bouncer/nodemailer`.
 * Requires nodemailer ≥ 6 in the application (its address parser is reused).
 */

export const ALL_SUPPRESSED = 'EBOUNCERALLSUPPRESSED';
export const UNAVAILABLE = 'EBOUNCERUNAVAILABLE';
export const REFUSED = 'EBOUNCER';

type AddressField = 'to' | 'cc' | 'bcc';
const FIELDS: readonly AddressField[] = ['to', 'cc', 'bcc'];

export interface RemovedRecipient {
  address: string;
  reason: string;
  scope: string;
  /** Where it was removed from: a header field or the explicit envelope. */
  field: AddressField | 'envelope';
}

/** What the plugin did to one message; `info.bouncer` after sendMail, `err.bouncer` on refusal. */
export interface BouncerSendInfo {
  /** Suppressed recipients taken out of the message, once per field they appeared in. */
  removed: RemovedRecipient[];
  /** Distinct recipients checked. */
  checked: number;
  /** Set when Bouncer could not be asked and failOpen let the message go unchanged. */
  skipped?: { code: string; message: string };
  /** Whether List-Unsubscribe headers were added, and if not why (`listUnsubscribe` option). */
  listUnsubscribe?: 'added' | 'present' | 'several-recipients' | 'none';
}

/** The two RFC 8058 headers, as `POST /v1/unsubscribe-links` answers them. */
export type ListUnsubscribeHeaders = UnsubscribeLink['headers'];

/**
 * `true`: ask Bouncer for each message's recipient (`POST /v1/unsubscribe-links`, a `write`
 * key); an object gives the scope (a function of the message) and campaign; a function makes the
 * headers itself (null: none for this message).
 */
export type ListUnsubscribeOption =
  | boolean
  | {
      scope?: string | ((mail: Mail.Options) => string | undefined);
      campaign?: string | ((mail: Mail.Options) => string | undefined);
    }
  | ((
      recipient: string,
      mail: Mail.Options,
    ) => ListUnsubscribeHeaders | null | Promise<ListUnsubscribeHeaders | null>);

export interface BouncerPluginOptions {
  /** A client to use; otherwise one is made from baseUrl and apiKey (a `read` key suffices). */
  client?: BouncerClient;
  baseUrl?: string;
  apiKey?: string;
  /** For the client the plugin makes. Default 5 000 ms: a send should not wait long. */
  timeoutMs?: number;
  /** Unsubscribe group to honour besides global suppressions; a function gets the message's options. */
  scope?: string | ((mail: Mail.Options) => string | undefined);
  /** `transactional` ignores unsubscribes (never bounces or complaints). Default marketing. */
  purpose?: Purpose | ((mail: Mail.Options) => Purpose | undefined);
  /**
   * When Bouncer is unreachable (network error, timeout, 5xx after retries): true sends the
   * message unchanged (`info.bouncer.skipped` says so); false, the default, refuses it with
   * code EBOUNCERUNAVAILABLE. A 4xx (bad key, bad scope) always refuses: that is a bug to fix.
   */
  failOpen?: boolean;
  /**
   * Add List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) to every message. The link names
   * one recipient, so a message with several recipients gets none (`info.bouncer.listUnsubscribe`
   * says `several-recipients`): send marketing one message per recipient. Headers the message
   * already has are kept. Default: off.
   */
  listUnsubscribe?: ListUnsubscribeOption;
}

export type BouncerPluginError = Error & { code: string; bouncer?: BouncerSendInfo };

type Entry = { name: string; address: string };
type AddressValue = Mail.Options['to'];

function parseField(value: AddressValue): Entry[] {
  const out: Entry[] = [];
  for (const v of Array.isArray(value)
    ? value
    : value === undefined || value === null
      ? []
      : [value]) {
    if (typeof v === 'string') out.push(...addressparser(v, { flatten: true }));
    else if (v && typeof v === 'object' && typeof v.address === 'string')
      out.push({ name: v.name ?? '', address: v.address });
  }
  return out.filter((e) => e.address !== '');
}

const refusal = (
  code: string,
  message: string,
  bouncer: BouncerSendInfo | undefined,
  cause?: unknown,
): BouncerPluginError => Object.assign(new Error(message, { cause }), { code, bouncer });

/** `info.bouncer` rides on the transport's answer: sendMail has no other way to carry it. */
const results = new WeakMap<object, BouncerSendInfo>();
const wrapped = new WeakSet<object>();

/**
 * Hook the transport once so what the plugin did to a message reaches sendMail's `info`
 * (Nodemailer's plugin API has no channel back to it; the SMTP transport rebuilds `info` itself).
 * Keyed by the message object, so concurrent sends do not mix.
 */
function attachResults(mailer: Mail): void {
  const transport = (
    mailer as unknown as {
      transporter?: {
        send: (mail: object, done: (err: Error | null, info?: unknown) => void) => void;
      };
    }
  ).transporter;
  if (!transport || wrapped.has(transport)) return;
  wrapped.add(transport);
  const send = transport.send.bind(transport);
  transport.send = (mail, done) =>
    send(mail, (err, info) => {
      const r = results.get(mail);
      if (!err && r && info && typeof info === 'object')
        (info as { bouncer?: BouncerSendInfo }).bouncer = r;
      done(err, info);
    });
}

/** The plugin's record of a sent message, from sendMail's info. */
export function bouncerInfo(info: unknown): BouncerSendInfo | undefined {
  return info && typeof info === 'object'
    ? (info as { bouncer?: BouncerSendInfo }).bouncer
    : undefined;
}

export function bouncerPlugin(opts: BouncerPluginOptions): Mail.PluginFunction {
  const client =
    opts.client ??
    new BouncerClient({
      baseUrl: opts.baseUrl ?? '',
      apiKey: opts.apiKey ?? '',
      timeoutMs: opts.timeoutMs ?? 5_000,
    });
  return (mail: MailMessage, callback: (err?: Error | null) => void): void => {
    attachResults(mail.mailer);
    filterMessage(client, opts, mail)
      .then(async (info) => {
        // After filtering: the link names the one recipient left.
        if (opts.listUnsubscribe)
          info.listUnsubscribe = await addListUnsubscribe(client, opts.listUnsubscribe, mail.data);
        return info;
      })
      .then(
        (info) => {
          results.set(mail, info);
          callback();
        },
        (err: Error) => callback(err),
      );
  };
}

async function filterMessage(
  client: BouncerClient,
  opts: BouncerPluginOptions,
  mail: MailMessage,
): Promise<BouncerSendInfo> {
  const data = mail.data;
  const fields = new Map<AddressField, Entry[]>(FIELDS.map((f) => [f, parseField(data[f])]));
  const envelope = data.envelope as
    { to?: AddressValue; cc?: AddressValue; bcc?: AddressValue } | undefined;
  const envelopeTo = envelope ? FIELDS.flatMap((f) => parseField(envelope[f])) : [];
  const all = [...new Set([...[...fields.values()].flat(), ...envelopeTo].map((e) => e.address))];
  const info: BouncerSendInfo = { removed: [], checked: all.length };
  if (all.length === 0) return info;
  const scope = typeof opts.scope === 'function' ? opts.scope(data) : opts.scope;
  const purpose = typeof opts.purpose === 'function' ? opts.purpose(data) : opts.purpose;
  let verdicts: Map<string, { reason: string; scope: string }>;
  try {
    const r = await client.check(all, { scope, purpose });
    verdicts = new Map(r.suppressed.map((s) => [s.input, { reason: s.reason, scope: s.scope }]));
  } catch (err) {
    const unreachable = err instanceof BouncerError && (err.status === null || err.status >= 500);
    const message = err instanceof Error ? err.message : String(err);
    if (unreachable && opts.failOpen) return { ...info, skipped: { code: err.code, message } };
    throw refusal(
      unreachable ? UNAVAILABLE : REFUSED,
      `Bouncer could not check the recipients, the message was not sent: ${message}`,
      undefined,
      err,
    );
  }
  if (verdicts.size === 0) return info;
  const keep = (field: RemovedRecipient['field'], entries: Entry[]): Entry[] =>
    entries.filter((e) => {
      const v = verdicts.get(e.address);
      if (v) info.removed.push({ address: e.address, field, ...v });
      return !v;
    });
  let remaining = 0;
  for (const [field, entries] of fields) {
    const kept = keep(field, entries);
    remaining += kept.length;
    if (kept.length !== entries.length) data[field] = kept.length > 0 ? kept : undefined;
  }
  if (envelope) {
    const kept = FIELDS.map((f) => [f, keep('envelope', parseField(envelope[f]))] as const);
    for (const [f, list] of kept)
      if (envelope[f] !== undefined) envelope[f] = list.map((e) => e.address);
    remaining = kept.reduce((n, [, list]) => n + list.length, 0);
  }
  if (remaining === 0) {
    const reasons = [...new Set(info.removed.map((r) => r.reason))].join(', ');
    throw refusal(
      ALL_SUPPRESSED,
      `Every recipient of this message is suppressed by Bouncer (${reasons}); it was not sent`,
      info,
    );
  }
  return info;
}

type HeaderList = Array<{ key: string; value: string }>;

function hasHeader(headers: Mail.Options['headers'], name: string): boolean {
  const lower = name.toLowerCase();
  if (Array.isArray(headers))
    return (headers as HeaderList).some((h) => h.key.toLowerCase() === lower);
  return Object.keys(headers ?? {}).some((k) => k.toLowerCase() === lower);
}

async function addListUnsubscribe(
  client: BouncerClient,
  option: Exclude<ListUnsubscribeOption, false>,
  data: Mail.Options,
): Promise<NonNullable<BouncerSendInfo['listUnsubscribe']>> {
  if (hasHeader(data.headers, 'List-Unsubscribe')) return 'present';
  const envelope = data.envelope as { to?: AddressValue } | undefined;
  const recipients = [
    ...new Set(
      [
        ...FIELDS.flatMap((f) => parseField(data[f])),
        ...(envelope ? parseField(envelope.to) : []),
      ].map((e) => e.address.toLowerCase()),
    ),
  ];
  if (recipients.length !== 1) return recipients.length === 0 ? 'none' : 'several-recipients';
  const recipient = recipients[0]!;
  const pick = (v: string | ((m: Mail.Options) => string | undefined) | undefined) =>
    typeof v === 'function' ? v(data) : v;
  let headers: ListUnsubscribeHeaders | null;
  if (typeof option === 'function') headers = await option(recipient, data);
  else {
    const o = option === true ? {} : option;
    headers = (
      await client.unsubscribeLink({
        address: recipient,
        scope: pick(o.scope),
        campaign: pick(o.campaign),
      })
    ).headers;
  }
  if (!headers) return 'none';
  const add = {
    'List-Unsubscribe': headers['List-Unsubscribe'],
    'List-Unsubscribe-Post': headers['List-Unsubscribe-Post'],
  };
  data.headers = Array.isArray(data.headers)
    ? [
        ...(data.headers as HeaderList),
        ...Object.entries(add).map(([key, value]) => ({ key, value })),
      ]
    : { ...(data.headers ?? {}), ...add };
  return 'added';
}
