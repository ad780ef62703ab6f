import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** What the receiver asks of the service behind it. */
export interface SmtpReceiverHandlers {
  /** RCPT TO: true to accept the address (a bounce domain or a VERP address). */
  acceptsRecipient(address: string): boolean;
  /** Store the message durably; resolves once it is committed, rejects when storage is down. */
  store(message: Buffer, envelope: SmtpEnvelope): Promise<string>;
}

export interface SmtpEnvelope {
  mailFrom: string;
  rcptTo: string[];
}

export interface SmtpReceiverOptions {
  host: string;
  port: number;
  /** Largest message accepted (SIZE extension, and 552 once the data grows past it). */
  sizeLimitBytes: number;
  /** PEM key and certificate for STARTTLS; null offers no STARTTLS. */
  tls: { key: Buffer; cert: Buffer } | null;
  maxConnectionsPerIp: number;
  connectionsPerIpPerMinute: number;
  logger: SmtpLogger;
  /** Epoch ms, for the per-minute connection window. */
  now?: () => number;
}

export interface SmtpLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const MAX_RECIPIENTS = 100;
const MINUTE_MS = 60_000;

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * An inbound SMTP server for bounce mail only (no relay, no AUTH): RCPT is refused with 550
 * unless the handlers accept the address, and 250 after DATA is answered only once the message
 * is stored, so a sending MTA keeps (and retries, on 451) anything not committed.
 */
export class SmtpReceiver {
  private readonly server: SMTPServer;
  private readonly open = new Map<string, number>();
  private readonly recent = new Map<string, number[]>();
  private readonly sessions = new Set<string>();

  constructor(
    private readonly opts: SmtpReceiverOptions,
    private readonly handlers: SmtpReceiverHandlers,
  ) {
    this.server = new SMTPServer({
      secure: false,
      ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : {}),
      disabledCommands: opts.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      authOptional: true,
      size: opts.sizeLimitBytes,
      logger: false,
      banner: 'Bouncer bounce-mail receiver',
      socketTimeout: 60_000,
      // Within the shutdown timeout: a client still connected is cut, its mail not acknowledged.
      closeTimeout: 5_000,
      onConnect: (session, cb) => cb(this.admit(session)),
      onClose: (session) => this.release(session),
      onRcptTo: (address, session, cb) => {
        if (session.envelope.rcptTo.length >= MAX_RECIPIENTS)
          return cb(smtpError(452, 'Too many recipients'));
        if (!this.handlers.acceptsRecipient(address.address))
          return cb(smtpError(550, 'No such bounce address here (relaying denied)'));
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= opts.sizeLimitBytes) chunks.push(chunk);
        });
        stream.on('end', () => {
          if (stream.sizeExceeded || size > opts.sizeLimitBytes)
            return cb(smtpError(552, 'Message exceeds the size limit'));
          this.save(Buffer.concat(chunks), session).then(
            (id) => cb(null, `Queued as ${id}`),
            () => cb(smtpError(451, 'Storage unavailable, try again later')),
          );
        });
      },
    });
    this.server.on('error', (err) => this.opts.logger.warn({ err }, 'smtp receiver error'));
  }

  async listen(): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.server.off('error', reject);
        resolve();
      });
    });
    const a = this.server.server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** Stop accepting; sessions in DATA finish storing before the sockets close. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async save(message: Buffer, session: SMTPServerSession): Promise<string> {
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const rcptTo = session.envelope.rcptTo.map((r) => r.address);
    // What a delivering MTA adds (RFC 5321 §4.4 Return-Path; Postfix's X-Original-To), so the
    // parser sees the envelope (the VERP address) as it does for mail read from a mailbox.
    const trace = Buffer.from(
      `Return-Path: <${mailFrom}>\r\nX-Original-To: ${rcptTo.join(', ')}\r\n`,
      'latin1',
    );
    return this.handlers.store(Buffer.concat([trace, message]), { mailFrom, rcptTo });
  }

  private admit(session: SMTPServerSession): Error | undefined {
    const ip = session.remoteAddress;
    const now = (this.opts.now ?? Date.now)();
    const window = (this.recent.get(ip) ?? []).filter((t) => now - t < MINUTE_MS);
    if (window.length >= this.opts.connectionsPerIpPerMinute) {
      this.recent.set(ip, window);
      this.opts.logger.warn({ ip }, 'smtp connection rate exceeded');
      return smtpError(421, 'Too many connections, slow down');
    }
    window.push(now);
    this.recent.set(ip, window);
    const open = this.open.get(ip) ?? 0;
    if (open >= this.opts.maxConnectionsPerIp)
      return smtpError(421, 'Too many concurrent connections from your address');
    this.open.set(ip, open + 1);
    this.sessions.add(session.id);
    if (this.recent.size > 10_000) this.prune(now);
    return undefined;
  }

  private release(session: SMTPServerSession): void {
    if (!this.sessions.delete(session.id)) return;
    const n = (this.open.get(session.remoteAddress) ?? 1) - 1;
    if (n <= 0) this.open.delete(session.remoteAddress);
    else this.open.set(session.remoteAddress, n);
  }

  private prune(now: number): void {
    for (const [ip, times] of this.recent)
      if (times.every((t) => now - t >= MINUTE_MS)) this.recent.delete(ip);
  }
}
