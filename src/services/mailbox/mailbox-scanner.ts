import type { Logger } from 'pino';
import type { MailboxConfig } from '../../config.js';
import type { Clock } from '../../core/clock.js';
import type { MailboxMessage, MailboxSession, OpenMailboxSession } from '../../mailbox/index.js';
import type { Db } from '../../storage/database.js';
import {
  forgetMailboxMessages,
  listMailboxMessages,
  recordMailboxMessage,
  type MailboxMessageStatus,
} from '../../storage/repositories/mailbox.repository.js';
import type { ProviderEndpoint } from '../../providers/types.js';
import type { IngestService } from '../ingest/ingest.js';

/** A mailbox that keeps failing is an operator's problem, not a blip: log it as an error. */
const FAILURES_BEFORE_ERROR = 3;

/** What one pass over a mailbox did. */
export interface ScanReport {
  mailbox: string;
  /** Messages the server listed. */
  listed: number;
  /** Stored as deliveries with events (or understood and ignored) and removed from the inbox. */
  processed: number;
  events: number;
  /** Nothing recognised: stored as dead deliveries and moved to Unparsed (IMAP) / kept (POP3). */
  unparsed: number;
  /** Over the size limit: not stored, moved to Unparsed / kept. */
  tooLarge: number;
  /** Taken in an earlier pass (their removal is retried; unparsed POP3 mail stays put). */
  alreadyTaken: number;
  deliveryIds: string[];
}

/** For health reporting: when the mailbox was last scanned and whether it is failing. */
export interface ScannerStatus {
  mailbox: string;
  /** Epoch ms of the last completed pass; null before the first. */
  lastScanAt: number | null;
  /** The last connection or scan error, cleared by the next completed pass. */
  lastError: string | null;
  consecutiveFailures: number;
}

export interface MailboxScannerDeps {
  config: Readonly<MailboxConfig>;
  open: OpenMailboxSession;
  ingest: IngestService;
  endpoint: ProviderEndpoint;
  db: Db;
  clock: Clock;
  logger: Logger;
  maxMessageBytes: number;
  /** Called after every pass (tests and metrics listen). */
  onScan?: (report: ScanReport) => void;
}

/**
 * Scans one mailbox: each message is stored through the ingest service (the same durable path
 * as a webhook) and only once its delivery row is committed is it moved or deleted. A crash in
 * between leaves it in the inbox; the next pass finds its key recorded and only removes it.
 */
export class MailboxScanner {
  private stopped = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private readonly state: ScannerStatus;

  constructor(private readonly deps: MailboxScannerDeps) {
    this.state = {
      mailbox: deps.config.name,
      lastScanAt: null,
      lastError: null,
      consecutiveFailures: 0,
    };
  }

  status(): ScannerStatus {
    return { ...this.state };
  }

  get name(): string {
    return this.deps.config.name;
  }

  /** One connection, one pass, a clean logout (which commits POP3 deletions). */
  async scanOnce(): Promise<ScanReport> {
    const session = await this.deps.open(this.deps.config);
    try {
      const report = await this.scan(session);
      await session.close();
      return report;
    } catch (err) {
      session.abort();
      throw err;
    }
  }

  /** Scan in the background until `stop()`: IMAP IDLE where offered, polling otherwise. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Finish the message in hand, log out, and resolve. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const pollMs = this.deps.config.pollSeconds * 1_000;
    while (!this.stopped) {
      let session: MailboxSession | null = null;
      try {
        session = await this.deps.open(this.deps.config);
        for (;;) {
          await this.scan(session);
          if (this.stopped || !session.waitForMail) break;
          await session.waitForMail(pollMs, this.abort.signal);
          if (this.stopped) break;
        }
        await session.close();
        session = null;
      } catch (err) {
        session?.abort();
        this.state.lastError = (err as Error).message;
        this.state.consecutiveFailures++;
        const level = this.state.consecutiveFailures >= FAILURES_BEFORE_ERROR ? 'error' : 'warn';
        this.deps.logger[level](
          {
            mailbox: this.name,
            failures: this.state.consecutiveFailures,
            err: this.state.lastError,
          },
          'mailbox scan failed; will retry',
        );
      }
      if (!this.stopped) await sleep(pollMs, this.abort.signal);
    }
  }

  private async scan(session: MailboxSession): Promise<ScanReport> {
    const { config, db } = this.deps;
    const messages = await session.list();
    const report: ScanReport = {
      mailbox: config.name,
      listed: messages.length,
      processed: 0,
      events: 0,
      unparsed: 0,
      tooLarge: 0,
      alreadyTaken: 0,
      deliveryIds: [],
    };
    const taken = await listMailboxMessages(db.kysely, config.name);
    const present = new Set(messages.map((m) => m.key));
    const gone = [...taken.keys()].filter((k) => !present.has(k));
    if (gone.length > 0) await forgetMailboxMessages(db.kysely, config.name, gone);
    for (const message of messages) {
      if (this.stopped) break;
      const before = taken.get(message.key);
      if (before !== undefined) {
        report.alreadyTaken++;
        await (before === 'stored'
          ? session.markProcessed(message.key)
          : session.markUnparsed(message.key));
      } else {
        await this.take(session, message, report);
      }
    }
    this.state.lastScanAt = this.deps.clock.now();
    this.state.lastError = null;
    this.state.consecutiveFailures = 0;
    if (report.processed + report.unparsed + report.tooLarge > 0)
      this.deps.logger.info({ ...report, deliveryIds: undefined }, 'mailbox scanned');
    this.deps.onScan?.(report);
    return report;
  }

  private async take(
    session: MailboxSession,
    message: MailboxMessage,
    report: ScanReport,
  ): Promise<void> {
    const { config } = this.deps;
    if (message.size > this.deps.maxMessageBytes) {
      this.deps.logger.warn(
        {
          mailbox: config.name,
          key: message.key,
          size: message.size,
          limit: this.deps.maxMessageBytes,
        },
        'message over the size limit; left for a human',
      );
      await this.settle(session, message.key, 'unparsed', null);
      report.tooLarge++;
      return;
    }
    const rawBody = await session.fetch(message.key);
    const outcome = await this.deps.ingest.receive(this.deps.endpoint, {
      rawBody,
      headers: { 'content-type': 'message/rfc822' },
      url: `${session.protocol}://${config.name}/${session.protocol === 'imap' ? config.folder : 'INBOX'}`,
      params: { mailbox: config.name, ...(config.verp ? { verp: config.verp } : {}) },
      receivedAt: this.deps.clock.now(),
    });
    report.deliveryIds.push(outcome.deliveryId);
    if (outcome.kind === 'unparseable') {
      await this.settle(session, message.key, 'unparsed', outcome.deliveryId);
      report.unparsed++;
    } else {
      await this.settle(session, message.key, 'stored', outcome.deliveryId);
      report.processed++;
      if (outcome.result.kind === 'events') report.events += outcome.result.events.length;
    }
  }

  /** Record the message's fate first, then act on the server: a crash replays only the action. */
  private async settle(
    session: MailboxSession,
    key: string,
    status: MailboxMessageStatus,
    deliveryId: string | null,
  ): Promise<void> {
    await recordMailboxMessage(this.deps.db.kysely, {
      mailbox: this.deps.config.name,
      messageKey: key,
      status,
      deliveryId,
      seenAt: this.deps.clock.now(),
    });
    await (status === 'stored' ? session.markProcessed(key) : session.markUnparsed(key));
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
