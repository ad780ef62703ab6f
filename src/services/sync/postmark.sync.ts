import type { ChangeEvent } from '../../core/change-events.js';
import { pushOk, type PushResult } from './provider-result.js';
import { call } from './http-call.js';
import type { ProviderSync } from './provider-sync.js';

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

/** Postmark: push only so far. */
export const postmarkSync = (cfg: PostmarkSyncSettings): ProviderSync => ({
  push: (e) => pushToPostmark(cfg, e),
  pull: null,
});
