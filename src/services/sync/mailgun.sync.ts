import type { ChangeEvent } from '../../core/change-events.js';
import { pushOk, type PushResult } from './provider-result.js';
import type { ProviderSync } from './provider-sync.js';

const TIMEOUT_MS = 10_000;

export interface MailgunSyncSettings {
  apiKey: string;
  baseUrl: string;
  domains: string[];
}

/** Mailgun's three per-domain suppression lists; a Bouncer reason goes to the one that fits. */
function listFor(reason: string): 'bounces' | 'complaints' | 'unsubscribes' {
  if (reason === 'spam_complaint') return 'complaints';
  if (reason === 'hard_bounce') return 'bounces';
  return 'unsubscribes';
}

/**
 * Mailgun v3 suppressions, per sending domain: `POST /v3/{domain}/{bounces|complaints|unsubscribes}`
 * (form fields `address`, plus `code`/`error` for bounces and `tag=*` for unsubscribes) and
 * `DELETE /v3/{domain}/{list}/{address}`; HTTP Basic auth `api:<key>`. A lift is removed from all
 * three lists (a 404 is "not there", which is the goal).
 */
export async function pushToMailgun(cfg: MailgunSyncSettings, e: ChangeEvent): Promise<PushResult> {
  const address = e.data.address;
  let last: PushResult = pushOk(200);
  for (const domain of cfg.domains) {
    const base = `/v3/${encodeURIComponent(domain)}`;
    if (e.type === 'suppression.added') {
      const list = listFor(e.data.reason);
      const form = new URLSearchParams({ address });
      if (list === 'bounces') {
        form.set('code', '550');
        form.set('error', `suppressed by Bouncer (${e.data.reason})`);
      }
      if (list === 'unsubscribes') form.set('tag', '*');
      last = await call(cfg, 'POST', `${base}/${list}`, form);
      if (!last.ok) return last;
    } else {
      for (const list of ['bounces', 'complaints', 'unsubscribes'] as const) {
        last = await call(cfg, 'DELETE', `${base}/${list}/${encodeURIComponent(address)}`, null);
        if (!last.ok) return last;
      }
    }
  }
  return last;
}

async function call(
  cfg: MailgunSyncSettings,
  method: 'POST' | 'DELETE',
  path: string,
  form: URLSearchParams | null,
): Promise<PushResult> {
  try {
    const res = await fetch(`${cfg.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`api:${cfg.apiKey}`).toString('base64')}`,
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? form.toString() : undefined,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = (await res.text().catch(() => '')).slice(0, 300);
    if (res.ok || (method === 'DELETE' && res.status === 404)) return pushOk(res.status);
    const retryAfter = Number(res.headers.get('retry-after'));
    return {
      ok: false,
      status: res.status,
      error:
        `Mailgun ${method} ${path.split('/').slice(0, 4).join('/')}: HTTP ${res.status} ${text}`.trim(),
      retryAfterMs: retryAfter > 0 ? retryAfter * 1_000 : null,
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

/** Mailgun: push only so far. */
export const mailgunSync = (cfg: MailgunSyncSettings): ProviderSync => ({
  push: (e) => pushToMailgun(cfg, e),
  pull: null,
});
