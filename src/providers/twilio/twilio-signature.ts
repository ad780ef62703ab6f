import { createHash, createHmac } from 'node:crypto';
import { parse as parseQuerystring, stringify as stringifyQuerystring } from 'node:querystring';
import { safeEqual } from '../shared/secrets.js';

/** Decoded form parameters as Twilio signs them: a repeated key becomes an array. */
export type TwilioParams = Readonly<Record<string, string | readonly string[]>>;

/** Query parameter Twilio adds when it sends a JSON body (spec §2.3). */
export const BODY_SHA256_PARAM = 'bodySHA256';

/**
 * Parse an `application/x-www-form-urlencoded` body the way Twilio signs it: decoded values
 * (`+` → space, `%2B` → `+`), every field including empty and unknown ones, repeated keys kept
 * as arrays (spec §2.2). `URLSearchParams` rather than a body parser so bracketed keys stay
 * literal strings.
 */
export function parseTwilioForm(body: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const existing = params[key];
    if (existing === undefined) params[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[key] = [existing, value];
  }
  return params;
}

/**
 * base64(HMAC-SHA1(authToken, url + key1 + value1 + …)) with keys in UTF-16 code-unit order and
 * an array's values de-duplicated and sorted, exactly as twilio-node's
 * `getExpectedTwilioSignature` (spec §2.2).
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    if (typeof value === 'string') data += key + value;
    else if (value !== undefined) for (const v of [...new Set(value)].sort()) data += key + v;
  }
  return createHmac('sha1', Buffer.from(authToken, 'utf8'))
    .update(Buffer.from(data, 'utf8'))
    .digest('base64');
}

/** Lower-case hex SHA-256 of the raw body, as Twilio puts it in `bodySHA256` (spec §2.3). */
export function bodySha256Hex(rawBody: Buffer): string {
  return createHash('sha256').update(rawBody).digest('hex');
}

function withStandardPort(u: URL): string {
  if (u.port) return u.toString();
  // Built by hand because WHATWG URL drops default ports (twilio-node `buildUrlWithStandardPort`).
  const port = u.protocol === 'https:' ? ':443' : ':80';
  const credentials =
    u.username || u.password ? `${u.username}${u.password ? `:${u.password}` : ''}@` : '';
  return `${u.protocol}//${credentials}${u.host}${port}${u.pathname}${u.search}${u.hash}`;
}

function withoutPort(u: URL): string {
  const copy = new URL(u.toString());
  copy.port = '';
  return copy.toString();
}

function withLegacyQuerystring(url: string): string {
  const u = new URL(url);
  if (!u.search) return url;
  const query = stringifyQuerystring(parseQuerystring(u.search.slice(1)));
  u.search = '';
  return `${u.toString()}?${query}`;
}

/** `scheme://`, authority and the rest of the URL as written, without parsing (no escaping). */
const RAW_URL = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is;

/**
 * The URL exactly as received, with its port removed and with the standard port added, by string
 * surgery only: `new URL()` escapes characters such as `'` in the query, and Twilio signs the
 * URL as it requested it (twilio-node 6 tries these two first).
 */
function asReceivedVariants(url: string): string[] {
  const m = RAW_URL.exec(url);
  if (!m) return [];
  const [, scheme = '', authority = '', rest = ''] = m;
  const at = authority.lastIndexOf('@');
  const userInfo = authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  // A colon starts the port only after an IPv6 literal's closing bracket.
  const colon = hostPort.indexOf(':', hostPort.lastIndexOf(']') + 1);
  const host = colon === -1 ? hostPort : hostPort.slice(0, colon);
  const standard = scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  const port = colon === -1 ? standard : hostPort.slice(colon);
  return [`${scheme}${userInfo}${host}${rest}`, `${scheme}${userInfo}${host}${port}${rest}`];
}

/**
 * The URLs twilio-node's `validateRequest` tries, because "signature generation on the back end
 * is inconsistent" (spec §2.2): the URL as received without and with its port, then the URL as
 * `new URL()` normalises it, port removed, standard port added, and both again with the legacy
 * `querystring` encoding. Reproduced as the SDK does it, including that re-parsing the port-added
 * URL drops a default port again, so the last variant accepts what the SDK accepts.
 */
export function twilioUrlVariants(url: string): string[] {
  const u = new URL(url);
  const noPort = withoutPort(u);
  const withPort = withStandardPort(u);
  return [
    ...new Set([
      ...asReceivedVariants(url),
      noPort,
      withPort,
      withLegacyQuerystring(noPort),
      withLegacyQuerystring(withPort),
    ]),
  ];
}

export interface TwilioSignatureCheck {
  /** Every accepted Auth Token (primary, and the next one during a rotation). */
  authTokens: readonly string[];
  /** The `X-Twilio-Signature` header. */
  signature: string;
  /** The full public URL Twilio requested: scheme, any `user:pass@`, host, path and query. */
  url: string;
}

function anyVariantMatches(check: TwilioSignatureCheck, params: TwilioParams): boolean {
  let variants: string[];
  try {
    variants = twilioUrlVariants(check.url);
  } catch {
    return false;
  }
  let matched = false;
  for (const token of check.authTokens) {
    for (const variant of variants) {
      if (safeEqual(check.signature, twilioSignature(token, variant, params))) matched = true;
    }
  }
  return matched;
}

/** A form-encoded request: the signature covers the URL and every decoded parameter (spec §2.2). */
export function verifyTwilioFormSignature(
  check: TwilioSignatureCheck,
  params: TwilioParams,
): boolean {
  return anyVariantMatches(check, params);
}

/**
 * A JSON-body request: the signature covers the URL (which carries `bodySHA256`) with no
 * parameters, and the body must hash to `bodySHA256` (spec §2.3, `validateRequestWithBody`).
 */
export function verifyTwilioBodySignature(check: TwilioSignatureCheck, rawBody: Buffer): boolean {
  let expectedHash: string | null;
  try {
    expectedHash = new URL(check.url).searchParams.get(BODY_SHA256_PARAM);
  } catch {
    return false;
  }
  const bodyMatches = safeEqual(expectedHash ?? '', bodySha256Hex(rawBody));
  return anyVariantMatches(check, {}) && bodyMatches;
}
