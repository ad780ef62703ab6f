import { ParseError } from '../../core/errors.js';
import type { WebhookRequest } from '../types.js';

/**
 * Decoded parameters of GET and form-encoded callbacks, read from the raw bytes or the URL as
 * received (spec C §0.1, §0.3): schemes that sign parameters sign the decoded values, and a
 * framework body parser may coerce or merge them.
 */

export function queryParams(url: string): URLSearchParams {
  const q = url.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : url.slice(q + 1).split('#')[0]);
}

export function isJsonBody(req: WebhookRequest): boolean {
  const type = req.headers['content-type'] ?? '';
  if (/json/i.test(type)) return true;
  const first = req.rawBody.subarray(0, 64).toString('utf8').trimStart()[0];
  return first === '{';
}

/** A flat JSON object's values as text (numbers and booleans kept as written). */
function jsonParams(raw: Buffer, provider: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ParseError(`${provider} webhook: body is not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ParseError(`${provider} webhook: expected a JSON object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed))
    if (v !== null && typeof v !== 'object') out[k] = String(v);
  return out;
}

/**
 * The callback's parameters: the body (form or JSON) when there is one, else the query. Repeated
 * form keys keep the last value, as the providers' own verifiers read them.
 */
export function callbackParams(req: WebhookRequest, provider: string): Record<string, string> {
  if (req.rawBody.length === 0) return Object.fromEntries(queryParams(req.url));
  if (isJsonBody(req)) return jsonParams(req.rawBody, provider);
  return Object.fromEntries(new URLSearchParams(req.rawBody.toString('utf8')));
}
