import type { SyncConfig } from '../../config-sync.js';
import { brevoSync } from './brevo.sync.js';
import { mailgunSync } from './mailgun.sync.js';
import { postmarkSync } from './postmark.sync.js';
import type { ProviderSync } from './provider-sync.js';
import type { SyncProvider } from './push-rules.js';
import { sendgridSync } from './sendgrid.sync.js';
import { sesSync } from './ses.sync.js';

/** The configured providers' push and pull, built once from the config. */
export function buildProviderSyncs(cfg: SyncConfig): Map<SyncProvider, ProviderSync> {
  const out = new Map<SyncProvider, ProviderSync>();
  if (cfg.sendgrid) out.set('sendgrid', sendgridSync(cfg.sendgrid));
  if (cfg.ses) out.set('ses', sesSync(cfg.ses));
  if (cfg.mailgun) out.set('mailgun', mailgunSync(cfg.mailgun));
  if (cfg.postmark) out.set('postmark', postmarkSync(cfg.postmark));
  if (cfg.brevo) out.set('brevo', brevoSync(cfg.brevo));
  return out;
}
