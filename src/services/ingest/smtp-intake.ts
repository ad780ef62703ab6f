import { readFile } from 'node:fs/promises';
import { verpRegex } from '../../bouncemail/index.js';
import type { SmtpReceiverHandlers, SmtpReceiverOptions } from '../../mailbox/smtp-receiver.js';
import type { Services } from '../container.js';

/**
 * What the SMTP receiver accepts and where it puts it: recipients in the configured bounce
 * domains or matching the VERP pattern (never anything else: no relay), stored through the same
 * ingest path as POST /webhooks/bounce-mail, so a 250 means the raw message is committed.
 */
export function createSmtpIntake(services: Services): SmtpReceiverHandlers {
  const endpoint = services.endpoints.find((e) => e.id === 'bounce-mail');
  if (!endpoint) throw new Error('the bounce-mail endpoint is not registered');
  const domains = new Set(services.config.smtp.domains);
  const verp = services.config.bounceMail.verp ? verpRegex(services.config.bounceMail.verp) : null;
  return {
    acceptsRecipient(address) {
      const at = address.lastIndexOf('@');
      if (at <= 0) return false;
      if (domains.has(address.slice(at + 1).toLowerCase())) return true;
      const m = verp?.exec(address);
      return Boolean(m?.groups?.['local'] && m.groups['domain']);
    },
    async store(message) {
      const outcome = await services.ingest.receive(endpoint, {
        rawBody: message,
        headers: { 'content-type': 'message/rfc822' },
        url: 'smtp:receiver',
        params: {},
        receivedAt: services.clock.now(),
      });
      return outcome.deliveryId;
    },
  };
}

/** Receiver settings from the configuration (reads the STARTTLS PEM files). */
export async function smtpReceiverOptions(
  services: Services,
): Promise<Omit<SmtpReceiverOptions, 'logger'> | null> {
  const c = services.config.smtp;
  if (!c.listen) return null;
  const tls =
    c.tlsCertFile && c.tlsKeyFile
      ? { cert: await readFile(c.tlsCertFile), key: await readFile(c.tlsKeyFile) }
      : null;
  return {
    host: c.listen.host,
    port: c.listen.port,
    sizeLimitBytes: services.config.bounceMail.bodyLimitBytes,
    tls,
    maxConnectionsPerIp: c.maxConnectionsPerIp,
    connectionsPerIpPerMinute: c.connectionsPerIpPerMinute,
  };
}
