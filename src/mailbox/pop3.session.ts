import type { MailboxConfig } from '../config.js';
import { Pop3Client } from './pop3-client.js';
import type { MailboxMessage, MailboxSession } from './types.js';

/**
 * POP3 has one mailbox and no folders: a processed message is deleted (DELE, committed by QUIT),
 * an unparsed one stays on the server and the scanner remembers its UIDL.
 */
export async function openPop3Session(config: Readonly<MailboxConfig>): Promise<MailboxSession> {
  const client = await Pop3Client.connect({
    host: config.host,
    port: config.port,
    security: config.tls === true ? 'tls' : config.tls === 'starttls' ? 'starttls' : 'none',
    rejectUnauthorized: config.rejectUnauthorized,
  });
  try {
    await client.login(config.user, config.password);
  } catch (err) {
    client.destroy();
    throw err;
  }
  // Message numbers are only valid within this session; keys (UIDLs) outlive it.
  const numbers = new Map<string, number>();
  const numberOf = (key: string): number => {
    const n = numbers.get(key);
    if (n === undefined) throw new Error(`message ${key} was not listed in this session`);
    return n;
  };
  return {
    protocol: 'pop3',
    async list(): Promise<MailboxMessage[]> {
      const sizes = await client.list();
      const ids = await client.uidl();
      numbers.clear();
      for (const { number, uid } of ids) numbers.set(uid, number);
      return ids.map(({ number, uid }) => ({ key: uid, size: sizes.get(number) ?? 0 }));
    },
    fetch: (key) => client.retr(numberOf(key)),
    markProcessed: (key) => client.dele(numberOf(key)),
    markUnparsed: async () => undefined,
    waitForMail: null,
    close: () => client.quit(),
    abort: () => client.destroy(),
  };
}
