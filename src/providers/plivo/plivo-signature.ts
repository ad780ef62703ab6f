import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Plivo request signatures (spec C §9.2). V3 covers the URL, the query and every parameter; V2
 * only the URL without its query and the nonce, so a captured pair can carry any parameters.
 */

export type PlivoParams = Readonly<Record<string, readonly string[]>>;

function sortedQuery(params: PlivoParams): string {
  return Object.keys(params)
    .sort()
    .flatMap((k) => [...(params[k] ?? [])].sort().map((v) => `${k}=${v}`))
    .join('&');
}

function merged(a: PlivoParams, b: PlivoParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const src of [a, b])
    for (const [k, v] of Object.entries(src)) out[k] = [...(out[k] ?? []), ...v];
  return out;
}

export function paramsOf(search: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of search) (out[k] ??= []).push(v);
  return out;
}

/** The URL as written up to `?`: a path-less URL gets no `/` (which `new URL()` would add). */
function baseOf(url: string): { base: string; query: PlivoParams } {
  const noFragment = url.split('#')[0] ?? '';
  const q = noFragment.indexOf('?');
  return q === -1
    ? { base: noFragment, query: {} }
    : {
        base: noFragment.slice(0, q),
        query: paramsOf(new URLSearchParams(noFragment.slice(q + 1))),
      };
}

/** §9.2 steps 1–3: the string V3 signs before `.nonce`. */
export function plivoV3Base(method: 'GET' | 'POST', url: string, params: PlivoParams): string {
  const { base, query } = baseOf(url);
  const keys = Object.keys(params);
  if (method === 'GET' || keys.length === 0) {
    const s = sortedQuery(method === 'GET' ? merged(query, params) : query);
    return s ? `${base}?${s}` : base;
  }
  const qs = sortedQuery(query);
  const body = keys
    .sort()
    .flatMap((k) => [...(params[k] ?? [])].sort().map((v) => k + v))
    .join('');
  return `${base}?${qs ? `${qs}.` : ''}${body}`;
}

const hmac = (token: string, data: string): Buffer =>
  createHmac('sha256', token).update(data).digest();

function matches(header: string | undefined, expected: readonly Buffer[], list: boolean): boolean {
  if (!header) return false;
  // V3 headers may carry one signature per active auth token, comma-separated (§9.2 step 5).
  const candidates = list ? header.split(',').map((s) => s.trim()) : [header.trim()];
  let ok = false;
  for (const c of candidates) {
    const got = Buffer.from(c, 'base64');
    for (const e of expected) ok = (got.length === e.length && timingSafeEqual(got, e)) || ok;
  }
  return ok;
}

export interface PlivoSignatureInput {
  method: 'GET' | 'POST';
  /** Public URL Plivo called: scheme, host, any explicit port, path and query. */
  url: string;
  /** Decoded body parameters (POST) or none (GET: the query is in `url`). */
  params: PlivoParams;
  headers: Readonly<Record<string, string | undefined>>;
  /** Auth tokens of the account, its sub-accounts and the main account (any may sign). */
  tokens: readonly string[];
}

export type PlivoVerdict = 'v3' | 'v2' | 'none' | 'mismatch';

/** Which scheme verified the request: V3 when its nonce is there, V2 otherwise (if allowed). */
export function verifyPlivo(input: PlivoSignatureInput, allowV2: boolean): PlivoVerdict {
  const h = input.headers;
  const n3 = h['x-plivo-signature-v3-nonce'];
  if (n3) {
    const signed = `${plivoV3Base(input.method, input.url, input.params)}.${n3}`;
    const expected = input.tokens.map((t) => hmac(t, signed));
    const ok =
      matches(h['x-plivo-signature-v3'], expected, true) ||
      matches(h['x-plivo-signature-ma-v3'], expected, true);
    return ok ? 'v3' : 'mismatch';
  }
  const n2 = h['x-plivo-signature-v2-nonce'];
  if (!n2) return 'none';
  if (!allowV2) return 'mismatch';
  const signed = baseOf(input.url).base + n2;
  const expected = input.tokens.map((t) => hmac(t, signed));
  const ok =
    matches(h['x-plivo-signature-v2'], expected, false) ||
    matches(h['x-plivo-signature-ma-v2'], expected, false);
  return ok ? 'v2' : 'mismatch';
}
