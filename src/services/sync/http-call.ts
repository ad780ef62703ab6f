import { pushOk, type PushResult } from './provider-result.js';

const TIMEOUT_MS = 10_000;

/** One JSON request to a provider's REST API, its failure as a PushResult (a 404 on DELETE is success). */
export async function call(
  label: string,
  url: string,
  method: 'POST' | 'PUT' | 'DELETE',
  headers: Record<string, string>,
  body: unknown,
): Promise<{ result: PushResult; json: unknown }> {
  try {
    const res = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...headers,
        ...(body === null ? {} : { 'content-type': 'application/json' }),
      },
      body: body === null ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.text().catch(() => '');
    let json: unknown = null;
    try {
      json = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      json = null;
    }
    if (res.ok || (method === 'DELETE' && res.status === 404))
      return { result: pushOk(res.status), json };
    const retryAfter = Number(res.headers.get('retry-after'));
    return {
      result: {
        ok: false,
        status: res.status,
        error: `${label}: HTTP ${res.status} ${text.slice(0, 300)}`.trim(),
        retryAfterMs: retryAfter > 0 ? retryAfter * 1_000 : null,
      },
      json,
    };
  } catch (err) {
    return {
      result: {
        ok: false,
        status: null,
        error: String((err as Error)?.message ?? err),
        retryAfterMs: null,
      },
      json: null,
    };
  }
}
