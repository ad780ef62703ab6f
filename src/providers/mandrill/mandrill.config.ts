import { fail, type Reader } from '../../config.js';

/** Mandrill (Mailchimp Transactional) settings (docs/providers/mandrill.md). */
export interface MandrillConfig {
  /** Webhook keys (`BOUNCER_MANDRILL_WEBHOOK_KEYS`): one per Mandrill webhook, several for rotation. */
  webhookKeys: string[];
  /**
   * The webhook URLs exactly as entered in Mandrill (`BOUNCER_MANDRILL_WEBHOOK_URLS`), when they
   * differ from BOUNCER_PUBLIC_URL + the path Bouncer receives (spec §3.2: the signature covers
   * the configured URL, including any query string or userinfo).
   */
  webhookUrls: string[];
  /** Accept Mandrill's URL-check POST (`mandrill_events=[]` signed with `test-webhook`, §3.1). */
  acceptTestKey: boolean;
}

export function parseMandrillConfig(r: Reader, publicUrl: string | null): MandrillConfig {
  const webhookKeys = r.list('BOUNCER_MANDRILL_WEBHOOK_KEYS');
  const webhookUrls = r.list('BOUNCER_MANDRILL_WEBHOOK_URLS');
  for (const u of webhookUrls)
    if (!/^https?:\/\/[^/]+/.test(u))
      fail('BOUNCER_MANDRILL_WEBHOOK_URLS', `"${u}" is not an absolute http(s) URL`);
  if (webhookKeys.length > 0 && webhookUrls.length === 0 && publicUrl === null)
    fail(
      'BOUNCER_PUBLIC_URL',
      'is required when BOUNCER_MANDRILL_WEBHOOK_KEYS is set without BOUNCER_MANDRILL_WEBHOOK_URLS (Mandrill signs the URL it calls)',
    );
  return {
    webhookKeys,
    webhookUrls,
    acceptTestKey: r.bool('BOUNCER_MANDRILL_ACCEPT_URL_CHECK', true),
  };
}
