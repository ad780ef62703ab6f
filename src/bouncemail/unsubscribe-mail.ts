import { parseHeaderBlock, splitHeaderBody } from './headers.js';
import { toBinaryLf } from './mime.js';

/** Where a mail's real recipient shows: the MTA's delivery headers first, then To/Cc. */
const RECIPIENT_HEADERS = [
  'delivered-to',
  'x-original-to',
  'envelope-to',
  'x-envelope-to',
  'to',
  'cc',
] as const;
/** A token is two base64url runs joined by a dot (core/unsubscribe-token.ts). */
const TOKEN = '([A-Za-z0-9_-]{4,1024}\\.[A-Za-z0-9_-]{8,64})';
/** Headers are read only from the first 64 KiB: a top-level header block is never longer. */
const HEAD_LIMIT_BYTES = 64 * 1024;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The unsubscribe tokens a mail was addressed to: `unsubscribe+<token>@<domain>` in its
 * delivery headers (Delivered-To, X-Original-To, Envelope-To), To or Cc, or the SMTP envelope
 * recipient when the transport passed it. Only the top-level header block is read, so a bounce
 * quoting an original message that carried such an address does not count. The caller verifies
 * each token; unverified ones change nothing.
 */
export function unsubscribeTokensIn(
  raw: Buffer,
  domain: string,
  envelopeRecipients: readonly string[] = [],
): string[] {
  const binary = toBinaryLf(raw.subarray(0, HEAD_LIMIT_BYTES));
  const headers = parseHeaderBlock(splitHeaderBody(binary).head);
  const pattern = new RegExp(
    `(?:^|[<\\s,:;"])unsubscribe\\+${TOKEN}@${escapeRegExp(domain)}(?![a-z0-9.-])`,
    'gi',
  );
  const found = new Set<string>();
  const values = [...envelopeRecipients];
  for (const name of RECIPIENT_HEADERS) values.push(...headers.getAll(name));
  for (const value of values) for (const m of value.matchAll(pattern)) if (m[1]) found.add(m[1]);
  return [...found];
}
