import type { ChangeEvent } from '../../core/change-events.js';
import type { PushResult } from './provider-result.js';
import { call } from './http-call.js';
import type { ProviderSync } from './provider-sync.js';

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

/** Brevo: push only so far. */
export const brevoSync = (cfg: BrevoSyncSettings): ProviderSync => ({
  push: (e) => pushToBrevo(cfg, e),
  pull: null,
});
