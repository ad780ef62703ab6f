import type { ChangeEvent } from '../../core/change-events.js';
import { pushOk, type PushResult } from './provider-result.js';

const TIMEOUT_MS = 10_000;

async function call(
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

export interface PostmarkSyncSettings {
  serverToken: string;
  baseUrl: string;
  streams: string[];
}

/**
 * Postmark suppressions per message stream: `POST /message-streams/{stream}/suppressions` and
 * `…/suppressions/delete`, each `{"Suppressions":[{"EmailAddress"}]}`, server token in
 * `X-Postmark-Server-Token`. Postmark answers 200 with a per-address `Status`; a `Failed` add is
 * an error worth retrying, a `Failed` delete is final (Postmark keeps spam complaints: its rule).
 */
export async function pushToPostmark(
  cfg: PostmarkSyncSettings,
  e: ChangeEvent,
): Promise<PushResult> {
  let last = pushOk(200);
  for (const stream of cfg.streams) {
    const del = e.type === 'suppression.removed';
    const path = `/message-streams/${encodeURIComponent(stream)}/suppressions${del ? '/delete' : ''}`;
    const { result, json } = await call(
      `Postmark POST ${path}`,
      `${cfg.baseUrl}${path}`,
      'POST',
      { 'x-postmark-server-token': cfg.serverToken },
      { Suppressions: [{ EmailAddress: e.data.address }] },
    );
    if (!result.ok) return result;
    const item = (json as { Suppressions?: Array<{ Status?: string; Message?: string }> } | null)
      ?.Suppressions?.[0];
    if (!del && item?.Status === 'Failed')
      return {
        ok: false,
        status: 200,
        error: `Postmark: ${item.Message ?? 'Failed'}`,
        retryAfterMs: null,
      };
    last = result;
  }
  return last;
}

export interface BrevoSyncSettings {
  apiKey: string;
  baseUrl: string;
}

/**
 * Brevo blocked contacts: a suppression marks the contact `emailBlacklisted` (`PUT
 * /v3/contacts/{email}`, creating it with `POST /v3/contacts` when Brevo answers 404); a lift
 * unblocks it (`DELETE /v3/smtp/blockedContacts/{email}`). API key in the `api-key` header.
 */
export async function pushToBrevo(cfg: BrevoSyncSettings, e: ChangeEvent): Promise<PushResult> {
  const email = encodeURIComponent(e.data.address);
  const headers = { 'api-key': cfg.apiKey };
  if (e.type === 'suppression.removed')
    return (
      await call(
        'Brevo DELETE /v3/smtp/blockedContacts',
        `${cfg.baseUrl}/v3/smtp/blockedContacts/${email}`,
        'DELETE',
        headers,
        null,
      )
    ).result;
  const put = await call(
    'Brevo PUT /v3/contacts',
    `${cfg.baseUrl}/v3/contacts/${email}`,
    'PUT',
    headers,
    {
      emailBlacklisted: true,
    },
  );
  if (put.result.ok || put.result.status !== 404) return put.result;
  return (
    await call('Brevo POST /v3/contacts', `${cfg.baseUrl}/v3/contacts`, 'POST', headers, {
      email: e.data.address,
      emailBlacklisted: true,
    })
  ).result;
}
