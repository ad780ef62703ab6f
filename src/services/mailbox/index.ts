import type { OpenMailboxSession } from '../../mailbox/index.js';
import type { Services } from '../container.js';
import { MailboxScanner, type ScanReport } from './mailbox-scanner.js';

export { MailboxScanner, type ScanReport, type ScannerStatus } from './mailbox-scanner.js';

/**
 * One scanner per configured mailbox (all of them, or only the one named). Their messages go
 * through the `bounce-mail` endpoint's adapter, so the worker and replays parse them the same way.
 */
export function createMailboxScanners(
  services: Services,
  open: OpenMailboxSession,
  opts: { name?: string; onScan?: (r: ScanReport) => void } = {},
): MailboxScanner[] {
  const endpoint = services.endpoints.find((e) => e.id === 'bounce-mail');
  if (!endpoint) throw new Error('the bounce-mail endpoint is not registered');
  const configs = services.config.mailboxes.filter(
    (m) => opts.name === undefined || m.name === opts.name,
  );
  return configs.map(
    (config) =>
      new MailboxScanner({
        config,
        open,
        endpoint,
        ingest: services.ingest,
        db: services.db,
        clock: services.clock,
        logger: services.logger,
        maxMessageBytes: services.config.bounceMail.bodyLimitBytes,
        onScan: opts.onScan,
      }),
  );
}
