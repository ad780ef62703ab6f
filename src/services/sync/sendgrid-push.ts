import type { ChangeEvent } from '../../core/change-events.js';
import { pushOk, type PushResult } from './provider-result.js';

const TIMEOUT_MS = 10_000;

/**
 * SendGrid v3 suppression management: global unsubscribes (`/v3/asm/suppressions/global`),
 * unsubscribe groups (`/v3/asm/groups/{id}/suppressions`) and bounces (`/v3/suppression/bounces`,
 * which the API lets one delete but not add: a permanent suppression goes to the global
 * unsubscribes, which SendGrid also drops mail for). Rate limits answer 429 with
 * `X-RateLimit-Reset` (epoch seconds).
 */
export async function pushToSendGrid(
  cfg: { apiKey: string; baseUrl: string },
  e: ChangeEvent,
  now: number,
): Promise<PushResult> {
  const email = encodeURIComponent(e.data.address);
  const group = e.data.scope === '*' ? null : e.data.scope;
  if (e.type === 'suppression.added') {
    const path = group ? `/v3/asm/groups/${group}/suppressions` : '/v3/asm/suppressions/global';
    return call(cfg, 'POST', path, { recipient_emails: [e.data.address] }, now);
  }
  if (group) return call(cfg, 'DELETE', `/v3/asm/groups/${group}/suppressions/${email}`, null, now);
  const unsub = await call(cfg, 'DELETE', `/v3/asm/suppressions/global/${email}`, null, now);
  if (!unsub.ok) return unsub;
  return call(cfg, 'DELETE', `/v3/suppression/bounces/${email}`, null, now);
}

async function call(
  cfg: { apiKey: string; baseUrl: string },
  method: 'POST' | 'DELETE',
  path: string,
  body: unknown,
  now: number,
): Promise<PushResult> {
  try {
    const res = await fetch(`${cfg.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${cfg.apiKey}`,
        ...(body === null ? {} : { 'content-type': 'application/json' }),
      },
      body: body === null ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = (await res.text().catch(() => '')).slice(0, 300);
    // Deleting what is not there is the state we want.
    if (res.ok || (method === 'DELETE' && res.status === 404)) return pushOk(res.status);
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    const retryAfter = Number(res.headers.get('retry-after'));
    return {
      ok: false,
      status: res.status,
      error:
        `SendGrid ${method} ${path.split('/').slice(0, 4).join('/')}: HTTP ${res.status} ${text}`.trim(),
      retryAfterMs:
        res.status === 429 && reset > 0
          ? Math.max(0, reset * 1_000 - now)
          : retryAfter > 0
            ? retryAfter * 1_000
            : null,
    };
  } catch (err) {
    return {
      ok: false,
      status: null,
      error: String((err as Error)?.message ?? err),
      retryAfterMs: null,
    };
  }
}
