import type { MailboxConfig } from '../config.js';
import { openImapSession } from './imap.session.js';
import { openPop3Session } from './pop3.session.js';
import type { MailboxSession } from './types.js';

export type { MailboxMessage, MailboxSession } from './types.js';
export { Pop3Client, Pop3Error, type Pop3Options, type Pop3Security } from './pop3-client.js';

export type OpenMailboxSession = (config: Readonly<MailboxConfig>) => Promise<MailboxSession>;

/** Connect and log in to one configured mailbox. */
export const openMailboxSession: OpenMailboxSession = (config) =>
  config.protocol === 'imap' ? openImapSession(config) : openPop3Session(config);
