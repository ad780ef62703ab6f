import { BouncerError, errorFromResponse } from './errors.js';

export interface Transport {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  fetch: typeof fetch;
}

export type Query = Record<string, string | number | boolean | undefined>;

/** Exponential backoff with "equal jitter": half the ceiling for sure, the other half at random. */
export function backoffMs(
  retry: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** retry);
  return ceiling / 2 + (random() * ceiling) / 2;
}

export function buildUrl(baseUrl: string, path: string, query: Query = {}): URL {
  const url = new URL(path.replace(/^\//, ''), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  for (const [k, v] of Object.entries(query))
    if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}

export function headers(t: Transport, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${t.apiKey}`, accept: 'application/json', ...extra };
}

/** A signal that fires on the caller's abort or after `timeoutMs`; `why()` tells which. */
export function deadline(
  timeoutMs: number,
  user: AbortSignal | undefined,
): { signal: AbortSignal; clear(): void; why(err: unknown): BouncerError } {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error('timeout')), timeoutMs);
  const onAbort = (): void => ac.abort(user?.reason);
  user?.addEventListener('abort', onAbort, { once: true });
  if (user?.aborted) onAbort();
  return {
    signal: ac.signal,
    clear: () => {
      clearTimeout(timer);
      user?.removeEventListener('abort', onAbort);
    },
    why: (err) => {
      if (err instanceof BouncerError) return err;
      if (user?.aborted)
        return new BouncerError('BOUNCER_CLIENT_ABORTED', 'The call was aborted by the caller', {
          cause: err,
        });
      if (ac.signal.aborted)
        return new BouncerError('BOUNCER_CLIENT_TIMEOUT', `No answer within ${timeoutMs} ms`, {
          retryable: true,
          cause: err,
        });
      const detail =
        err instanceof Error
          ? err.cause instanceof Error
            ? err.cause.message
            : err.message
          : String(err);
      return new BouncerError('BOUNCER_CLIENT_NETWORK', `Bouncer is unreachable: ${detail}`, {
        retryable: true,
        cause: err,
      });
    },
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new BouncerError('BOUNCER_CLIENT_ABORTED', 'The call was aborted by the caller'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Run `attempt` until it succeeds, fails with a non-retryable error (every 4xx), or the retries
 * are used up. `mayRetry` lets a caller veto a retry (a stream whose input cannot be replayed).
 */
export async function withRetries<T>(
  t: Transport,
  signal: AbortSignal | undefined,
  attempt: () => Promise<T>,
  mayRetry: () => boolean = () => true,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (err) {
      const e =
        err instanceof BouncerError
          ? err
          : new BouncerError('BOUNCER_CLIENT_PROTOCOL', String((err as Error)?.message ?? err), {
              cause: err,
            });
      e.attempts = retry + 1;
      if (!e.retryable || retry >= t.retries || signal?.aborted || !mayRetry()) throw e;
      await sleep(backoffMs(retry, t.retryBaseMs, t.retryMaxMs), signal);
    }
  }
}

/** One JSON call with timeout and retries; the timeout covers reading the answer too. */
export async function requestJson<T>(
  t: Transport,
  method: string,
  path: string,
  opts: { query?: Query; body?: unknown; signal?: AbortSignal | undefined } = {},
): Promise<T> {
  const url = buildUrl(t.baseUrl, path, opts.query);
  return withRetries(t, opts.signal, async () => {
    const d = deadline(t.timeoutMs, opts.signal);
    try {
      const res = await t.fetch(url, {
        method,
        headers: headers(t, opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: d.signal,
      });
      if (!res.ok) throw await errorFromResponse(res);
      const text = await res.text();
      try {
        return JSON.parse(text) as T;
      } catch (err) {
        throw new BouncerError(
          'BOUNCER_CLIENT_PROTOCOL',
          `The answer of ${method} ${url.pathname} is not JSON`,
          { status: res.status, cause: err },
        );
      }
    } catch (err) {
      throw d.why(err);
    } finally {
      d.clear();
    }
  });
}
