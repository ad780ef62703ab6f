/** One message as the server lists it. */
export interface MailboxMessage {
  /** Stable across sessions: POP3 UIDL, IMAP `uidvalidity:uid`. */
  key: string;
  /** Octets, as the server reports them. */
  size: number;
}

/**
 * An open connection to one mailbox, as the scanner uses it. Implementations hide the protocol:
 * IMAP moves messages to folders, POP3 deletes processed ones and keeps unparsed ones.
 */
export interface MailboxSession {
  readonly protocol: 'imap' | 'pop3';
  list(): Promise<MailboxMessage[]>;
  fetch(key: string): Promise<Buffer>;
  /** Its events are durably stored: remove it from the inbox. */
  markProcessed(key: string): Promise<void>;
  /** Nothing could be read from it: keep it where a human can look. */
  markUnparsed(key: string): Promise<void>;
  /**
   * Resolve when new mail may have arrived (IMAP IDLE), after at most `timeoutMs`, or when
   * `signal` aborts. Null when the protocol cannot notify (POP3): the scanner closes and polls.
   */
  readonly waitForMail: ((timeoutMs: number, signal: AbortSignal) => Promise<void>) | null;
  /** Finish cleanly (POP3: QUIT, which commits the deletions). */
  close(): Promise<void>;
  /** Drop the connection without committing anything. */
  abort(): void;
}
