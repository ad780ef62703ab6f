import { standardWebhookHeaders } from '../../core/standard-webhooks.js';
import type { AlertTransitionRow } from '../../storage/schema.js';

/** Where alert transitions are sent besides the log. */
export interface NotifierSettings {
  slackUrl: string | null;
  webhookUrl: string | null;
  /** Standard Webhooks secret, `whsec_` + base64 of the key bytes. */
  webhookSecret: string | null;
}

export { signStandardWebhook } from '../../core/standard-webhooks.js';

export type NotificationChannel = 'slack' | 'webhook';

const SEND_TIMEOUT_MS = 10_000;

const LABEL: Record<string, string> = {
  firing: 'FIRING',
  changed: 'CHANGED',
  resolved: 'RESOLVED',
};

/** The body stored in the outbox for each configured channel (signatures are made per attempt). */
export function notificationPayloads(
  settings: NotifierSettings,
  t: AlertTransitionRow,
  firedAt: number | null,
): Array<{ channel: NotificationChannel; payload: string }> {
  const out: Array<{ channel: NotificationChannel; payload: string }> = [];
  const severity = t.severity ? ` ${t.severity}` : '';
  if (settings.slackUrl) {
    out.push({
      channel: 'slack',
      payload: JSON.stringify({
        text: `[${LABEL[t.transition] ?? t.transition}${severity}] Bouncer ${t.rule} (${t.group_key}): ${t.message}`,
      }),
    });
  }
  if (settings.webhookUrl) {
    out.push({
      channel: 'webhook',
      payload: JSON.stringify({
        type: `alert.${t.transition}`,
        timestamp: new Date(Number(t.at)).toISOString(),
        data: {
          key: t.alert_key,
          rule: t.rule,
          group: t.group_key,
          severity: t.severity,
          value: t.value,
          threshold: t.threshold,
          message: t.message,
          fired_at: firedAt === null ? null : new Date(firedAt).toISOString(),
        },
      }),
    });
  }
  return out;
}

/**
 * One sending attempt. Resolves with null on a 2xx answer, else with the error text to keep.
 * Never throws: the outbox decides whether to retry.
 */
export async function sendNotification(
  settings: NotifierSettings,
  row: { id: string; channel: string; payload: string },
  nowMs: number,
): Promise<string | null> {
  const url = row.channel === 'slack' ? settings.slackUrl : settings.webhookUrl;
  if (!url) return `no URL configured for ${row.channel}`;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'bouncer-alerts',
  };
  if (row.channel === 'webhook' && settings.webhookSecret) {
    Object.assign(
      headers,
      standardWebhookHeaders(settings.webhookSecret, row.id, nowMs, row.payload),
    );
  }
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body: row.payload,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? null : `HTTP ${res.status}`;
  } catch (err) {
    return String((err as Error)?.message ?? err).slice(0, 500);
  }
}
