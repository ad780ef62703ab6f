import { ImapFlow } from 'imapflow';
import type { MailboxConfig } from '../config.js';
import type { MailboxMessage, MailboxSession } from './types.js';

const CONNECT_TIMEOUT_MS = 30_000;

/**
 * IMAP through imapflow: processed mail is moved to `processedFolder`, unparsed mail to
 * `unparsedFolder` (both created on first use). New mail is noticed with IDLE where the server
 * offers it; otherwise the scanner polls. Keys are `uidvalidity:uid`, so a mailbox recreated
 * on the server (new UIDVALIDITY) never matches old keys.
 */
export async function openImapSession(config: Readonly<MailboxConfig>): Promise<MailboxSession> {
  const client = new ImapFlow({
    host: config.host,
    port: config.port,
    secure: config.tls === true,
    // `false` means plain text on purpose; undefined would try STARTTLS opportunistically.
    doSTARTTLS: config.tls === 'starttls' ? true : config.tls === false ? false : undefined,
    auth: { user: config.user, pass: config.password },
    tls: { rejectUnauthorized: config.rejectUnauthorized },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: CONNECT_TIMEOUT_MS,
  });
  let onExists: (() => void) | null = null;
  // imapflow emits 'error' on connection loss; without a listener that would crash the process.
  // The next command fails instead, and the scanner reconnects.
  client.on('error', () => undefined);
  // A connection lost during IDLE ends the wait at once, so the scanner reconnects now.
  client.on('close', () => onExists?.());
  await client.connect();
  let uidValidity = '';
  const created = new Set<string>();
  // Mail that arrives while a scan runs is announced in the answer to some other command.
  let arrived = false;
  client.on('exists', (e: { count: number; prevCount: number }) => {
    if (e.count <= e.prevCount) return;
    arrived = true;
    onExists?.();
  });

  const open = async (): Promise<void> => {
    const box = await client.mailboxOpen(config.folder);
    uidValidity = String(box.uidValidity);
  };
  const uidOf = (key: string): string => {
    const [validity, uid] = key.split(':');
    if (validity !== uidValidity || !uid)
      throw new Error(`message ${key} belongs to another UIDVALIDITY than ${uidValidity}`);
    return uid;
  };
  const moveTo = async (key: string, folder: string): Promise<void> => {
    if (!created.has(folder)) {
      await client.mailboxCreate(folder);
      created.add(folder);
    }
    const moved = await client.messageMove(uidOf(key), folder, { uid: true });
    if (moved === false) throw new Error(`could not move message ${key} to ${folder}`);
  };
  await open();

  return {
    protocol: 'imap',
    async list(): Promise<MailboxMessage[]> {
      if (client.mailbox === false) await open();
      const messages: MailboxMessage[] = [];
      if (client.mailbox !== false && client.mailbox.exists === 0) return messages;
      // Collect first: no other command may run while a FETCH is being iterated.
      for await (const m of client.fetch('1:*', { uid: true, size: true }))
        messages.push({ key: `${uidValidity}:${m.uid}`, size: m.size ?? 0 });
      return messages;
    },
    async fetch(key: string): Promise<Buffer> {
      const m = await client.fetchOne(uidOf(key), { source: true }, { uid: true });
      if (m === false || !m.source)
        throw new Error(`message ${key} disappeared from ${config.folder}`);
      return m.source;
    },
    markProcessed: (key) => moveTo(key, config.processedFolder),
    markUnparsed: (key) => moveTo(key, config.unparsedFolder),
    waitForMail: client.capabilities.has('IDLE')
      ? async (timeoutMs: number, signal: AbortSignal): Promise<void> => {
          if (arrived) {
            arrived = false;
            return;
          }
          await new Promise<void>((resolve) => {
            const done = (): void => {
              clearTimeout(timer);
              signal.removeEventListener('abort', done);
              onExists = null;
              arrived = false;
              resolve();
            };
            const timer = setTimeout(done, timeoutMs);
            signal.addEventListener('abort', done);
            onExists = done;
            // IDLE ends by itself when the next command is sent (imapflow breaks it first).
            client.idle().catch(done);
          });
        }
      : null,
    async close(): Promise<void> {
      await client.logout();
    },
    abort: () => client.close(),
  };
}
