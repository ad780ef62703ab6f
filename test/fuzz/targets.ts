import fc from 'fast-check';
import { parseBounceMail } from '../../src/bouncemail/index.js';
import { parseConfig } from '../../src/config.js';
import { AppError, ParseError } from '../../src/core/errors.js';
import { importRow, type ImportKind } from '../../src/core/import-formats.js';
import { parseCsvRecord, RecordSplitter } from '../../src/core/records.js';
import { createBounceMailAdapter } from '../../src/providers/bounce-mail/bounce-mail.adapter.js';
import {
  createDripAdapter,
  createDripSignedAdapter,
} from '../../src/providers/drip/drip.adapter.js';
import { createGenericAdapter } from '../../src/providers/generic/generic.adapter.js';
import { createInboxroadAdapter } from '../../src/providers/inboxroad/inboxroad.adapter.js';
import { createSendgridAdapter } from '../../src/providers/sendgrid/sendgrid.adapter.js';
import type { ProviderAdapter } from '../../src/providers/types.js';
import { makeSendgridKeys } from '../helpers/sendgrid-signer.js';

/**
 * Every parser and adapter Bouncer runs on untrusted bytes, as fuzz targets: `run` takes the
 * bytes, returns a comparable answer, and may throw only the typed error its contract allows
 * (`allowed`). `hostile(n)` builds an input of about n bytes for the linear-time measurements.
 */
export interface FuzzTarget {
  name: string;
  input: fc.Arbitrary<string>;
  run(input: string): unknown;
  allowed(err: unknown): boolean;
  hostile(size: number): string;
}

const TOKENS = [
  'x',
  'a.',
  ' ',
  '\n',
  '\r\n',
  '"',
  ',',
  '@',
  '<',
  '(',
  '550-5.1.1 ',
  '=?',
  '{',
  '[',
  ':',
  '\\',
  '%',
];

/** Text built from the characters the parsers look for, mixed with anything. */
const nasty = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 200 }).map((a) => a.join('')),
  fc.json({ maxDepth: 6 }),
);

/** The same token run repeated to about `size` bytes: the shape that exposes backtracking. */
export function repeatToken(token: string, size: number): string {
  return token.repeat(Math.max(1, Math.ceil(size / token.length)));
}

const MAIL_HEAD =
  'From: MAILER-DAEMON@example.com\nTo: a@b.example\nSubject: Undelivered Mail Returned to Sender\nContent-Type: text/plain\n\n';

const parseErrorOnly = (err: unknown): boolean => err instanceof ParseError;

function adapterTarget(
  name: string,
  adapter: ProviderAdapter,
  hostileBody: (n: number) => string,
): FuzzTarget {
  return {
    name: `adapter:${name}`,
    input: fc.oneof(
      nasty,
      fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)),
      fc.array(fc.object({ maxDepth: 3 })).map((a) => JSON.stringify(a)),
    ),
    run: (body) => {
      const req = {
        rawBody: Buffer.from(body),
        headers: {},
        url: `/webhooks/${name}`,
        params: {},
        receivedAt: 1_700_000_000_000,
      };
      return adapter.parse(req, { defaultPhoneRegion: 'US' });
    },
    allowed: parseErrorOnly,
    hostile: hostileBody,
  };
}

const IMPORT_KINDS: ImportKind[] = [
  'bouncer',
  'ses',
  'sendgrid_bounces',
  'sendgrid_spam_reports',
  'sendgrid_unsubscribes',
  'generic',
];

export function fuzzTargets(): FuzzTarget[] {
  const sendgridKey = makeSendgridKeys().verificationKey;
  return [
    {
      name: 'bouncemail',
      input: fc.oneof(
        nasty.map((s) => MAIL_HEAD + s),
        nasty,
      ),
      run: (text) => parseBounceMail(Buffer.from(text)),
      allowed: () => false,
      hostile: (n) =>
        `${MAIL_HEAD}<a@b.example>: 550 5.1.1 ${repeatToken('x', n / 2)}\n${repeatToken('(', n / 2)}\n`,
    },
    {
      name: 'csv-records',
      input: nasty,
      run: (text) => splitAll(true, text).map((r) => parseCsvRecord(r.text)),
      allowed: (err) => err instanceof AppError && err.code === 'BOUNCER_ERR_VALIDATION',
      hostile: (n) => `email\n${repeatToken('a,"b""c",\n', n)}`,
    },
    {
      name: 'ndjson-records',
      input: nasty,
      run: (text) => splitAll(false, text),
      allowed: (err) => err instanceof AppError && err.code === 'BOUNCER_ERR_VALIDATION',
      hostile: (n) => repeatToken('{"address":"a@example.com"}\n', n),
    },
    {
      name: 'import-row',
      input: fc
        .tuple(fc.constantFrom(...IMPORT_KINDS), fc.object({ maxDepth: 3 }))
        .map((v) => JSON.stringify(v)),
      run: (text) => {
        const [kind, obj] = JSON.parse(text) as [ImportKind, Record<string, unknown>];
        return importRow(kind, obj, {});
      },
      allowed: () => false,
      hostile: (n) =>
        JSON.stringify([
          'generic',
          { email: `${repeatToken('a', n)}@example.com`, reason: repeatToken('x', n) },
        ]),
    },
    {
      name: 'config',
      input: fc
        .dictionary(
          fc.constantFrom(
            'BOUNCER_POLICY',
            'BOUNCER_ALLOWLIST',
            'PORT',
            'BOUNCER_TRUST_PROXY',
            'BOUNCER_WORKER_BATCH_SIZE',
            'BOUNCER_BOUNCE_MAIL_VERP',
            'BOUNCER_MAILBOXES',
            'BOUNCER_TWILIO_ERROR_CODES',
            'BOUNCER_DATABASE_URL',
          ),
          nasty,
        )
        .map((env) => JSON.stringify(env)),
      run: (text) =>
        parseConfig({
          BOUNCER_LOG_LEVEL: 'silent',
          ...(JSON.parse(text) as Record<string, string>),
        }),
      allowed: (err) => err instanceof AppError && err.code === 'BOUNCER_ERR_CONFIG',
      hostile: (n) => JSON.stringify({ BOUNCER_ALLOWLIST: repeatToken('a.example,', n) }),
    },
    adapterTarget('generic', createGenericAdapter(), (n) =>
      JSON.stringify({ email: 'a@example.com', type: 'hard', meta: { note: repeatToken('x', n) } }),
    ),
    adapterTarget('drip', createDripAdapter({ urlTokens: ['t'.repeat(32)] }), (n) =>
      JSON.stringify({
        event: 'subscriber.bounced',
        data: { subscriber: { email: 'a@example.com' }, properties: { x: repeatToken('a@', n) } },
      }),
    ),
    adapterTarget('drip-signed', createDripSignedAdapter({ secrets: ['s'] }), (n) =>
      JSON.stringify({
        event: 'subscriber.bounced',
        data: { email: 'a@example.com', bounce_reason: repeatToken('550 ', n) },
      }),
    ),
    adapterTarget('inboxroad', createInboxroadAdapter({ urlTokens: ['t'.repeat(32)] }), (n) =>
      JSON.stringify([
        { email: 'a@example.com', event: 'bounce', dsn_diag: repeatToken('5.1.1 ', n) },
      ]),
    ),
    adapterTarget('sendgrid', createSendgridAdapter({ publicKeys: [sendgridKey] }), (n) =>
      JSON.stringify(
        Array.from({ length: Math.max(1, Math.floor(n / 120)) }, (_, i) => ({
          email: `u${i}@example.com`,
          event: 'bounce',
          sg_event_id: `e${i}`,
          timestamp: 1_700_000_000,
          reason: '550 5.1.1 unknown',
        })),
      ),
    ),
    adapterTarget(
      'bounce-mail',
      createBounceMailAdapter({ verp: null }),
      (n) => `${MAIL_HEAD}${repeatToken('\n', n)}`,
    ),
  ];
}

function splitAll(quoted: boolean, text: string) {
  const s = new RecordSplitter(quoted);
  const out = s.push(text);
  return s.end(out);
}

/** Runs one case: the answer (or the allowed error's message), else throws what escaped. */
export function runCase(target: FuzzTarget, input: string): string {
  try {
    return JSON.stringify(target.run(input)) ?? 'undefined';
  } catch (err) {
    if (target.allowed(err)) return `error: ${(err as Error).message}`;
    throw err;
  }
}
