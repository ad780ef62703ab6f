import net from 'node:net';
import tls from 'node:tls';

/** How the connection is secured: TLS from the first byte, STLS upgrade (RFC 2595), or none. */
export type Pop3Security = 'tls' | 'starttls' | 'none';

export interface Pop3Options {
  host: string;
  port: number;
  security: Pop3Security;
  /** false accepts self-signed certificates. Default true. */
  rejectUnauthorized?: boolean;
  /** Idle socket timeout in milliseconds. Default 60 s. */
  timeoutMs?: number;
}

/** A `-ERR` answer or a broken connection. The message never contains a password. */
export class Pop3Error extends Error {
  constructor(
    message: string,
    readonly response: string | null = null,
  ) {
    super(message);
    this.name = 'Pop3Error';
  }
}

const CRLF = Buffer.from('\r\n');
const TERMINATOR = Buffer.from('\r\n.\r\n');
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * A small POP3 client (RFC 1939, STLS from RFC 2595): one command at a time, no pipelining,
 * message bytes kept exactly as the server sent them (dot-unstuffed, CRLF line ends).
 */
export class Pop3Client {
  private buffer: Buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private failure: Error | null = null;

  private constructor(private socket: net.Socket) {
    this.attach(socket);
  }

  static async connect(opts: Pop3Options): Promise<Pop3Client> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const socket = await openSocket(opts, timeoutMs);
    const client = new Pop3Client(socket);
    try {
      await client.readStatus('greeting');
      if (opts.security === 'starttls') await client.startTls(opts, timeoutMs);
    } catch (err) {
      client.destroy();
      throw err;
    }
    return client;
  }

  async login(user: string, password: string): Promise<void> {
    await this.command(`USER ${user}`, 'USER');
    // The PASS line is never echoed into errors or logs: only the server's answer is.
    await this.command(`PASS ${password}`, 'PASS');
  }

  async stat(): Promise<{ count: number; size: number }> {
    const [count, size] = (await this.command('STAT', 'STAT')).split(' ').map(Number);
    return { count: count ?? 0, size: size ?? 0 };
  }

  /** Message number → unique id (UIDL, RFC 1939 §7). */
  async uidl(): Promise<Array<{ number: number; uid: string }>> {
    await this.command('UIDL', 'UIDL');
    return parseListing(await this.readMultiline()).map(([n, uid]) => ({ number: Number(n), uid }));
  }

  /** Message number → size in octets. */
  async list(): Promise<Map<number, number>> {
    await this.command('LIST', 'LIST');
    return new Map(
      parseListing(await this.readMultiline()).map(([n, size]) => [Number(n), Number(size)]),
    );
  }

  async retr(messageNumber: number): Promise<Buffer> {
    await this.command(`RETR ${messageNumber}`, 'RETR');
    return this.readMultiline();
  }

  /** Marks for deletion; the server deletes only when QUIT succeeds (RFC 1939 §6). */
  async dele(messageNumber: number): Promise<void> {
    await this.command(`DELE ${messageNumber}`, 'DELE');
  }

  async quit(): Promise<void> {
    try {
      await this.command('QUIT', 'QUIT');
    } finally {
      this.socket.end();
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.notify();
    });
    socket.on('error', (err) => this.fail(new Pop3Error(`connection failed: ${err.message}`)));
    socket.on('close', () => this.fail(new Pop3Error('connection closed by the server')));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async more(): Promise<void> {
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve) => (this.wake = resolve));
  }

  private async startTls(opts: Pop3Options, timeoutMs: number): Promise<void> {
    await this.command('STLS', 'STLS');
    this.socket.removeAllListeners('data').removeAllListeners('error').removeAllListeners('close');
    const secure = tls.connect({
      socket: this.socket,
      servername: net.isIP(opts.host) ? undefined : opts.host,
      rejectUnauthorized: opts.rejectUnauthorized ?? true,
    });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', (err) => reject(new Pop3Error(`STARTTLS failed: ${err.message}`)));
    });
    secure.setTimeout(timeoutMs, () =>
      secure.destroy(new Error(`no answer within ${timeoutMs} ms`)),
    );
    this.socket = secure;
    this.buffer = Buffer.alloc(0);
    this.attach(secure);
  }

  /** Send one command and return the text after `+OK`. */
  private async command(line: string, name: string): Promise<string> {
    if (this.failure) throw this.failure;
    this.socket.write(`${line}\r\n`);
    return this.readStatus(name);
  }

  private async readStatus(name: string): Promise<string> {
    for (;;) {
      const end = this.buffer.indexOf(CRLF);
      if (end >= 0) {
        const line = this.buffer.subarray(0, end).toString('latin1');
        this.buffer = this.buffer.subarray(end + 2);
        if (line.startsWith('+OK')) return line.slice(3).trim();
        throw new Pop3Error(`${name} refused: ${line.slice(0, 200)}`, line);
      }
      await this.more();
    }
  }

  /** The body of a multi-line answer up to the lone dot, dot-unstuffed (RFC 1939 §3). */
  private async readMultiline(): Promise<Buffer> {
    let from = 0;
    for (;;) {
      if (this.buffer.subarray(0, 3).equals(Buffer.from('.\r\n'))) {
        this.buffer = this.buffer.subarray(3);
        return Buffer.alloc(0);
      }
      const end = this.buffer.indexOf(TERMINATOR, from);
      if (end >= 0) {
        const body = this.buffer.subarray(0, end + 2);
        this.buffer = this.buffer.subarray(end + TERMINATOR.length);
        return unstuff(body);
      }
      from = Math.max(0, this.buffer.length - TERMINATOR.length);
      await this.more();
    }
  }
}

function openSocket(opts: Pop3Options, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      opts.security === 'tls'
        ? tls.connect({
            host: opts.host,
            port: opts.port,
            servername: net.isIP(opts.host) ? undefined : opts.host,
            rejectUnauthorized: opts.rejectUnauthorized ?? true,
          })
        : net.connect({ host: opts.host, port: opts.port });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no answer within ${timeoutMs} ms`)),
    );
    socket.once(opts.security === 'tls' ? 'secureConnect' : 'connect', () => {
      socket.removeListener('error', onError);
      resolve(socket);
    });
    const onError = (err: Error): void =>
      reject(new Pop3Error(`cannot connect to ${opts.host}:${opts.port}: ${err.message}`));
    socket.once('error', onError);
  });
}

function parseListing(body: Buffer): Array<[string, string]> {
  return body
    .toString('latin1')
    .split('\r\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [a = '', b = ''] = l.trim().split(/\s+/);
      return [a, b];
    });
}

/** Lines starting with a dot were sent with one more (byte-stuffing). */
function unstuff(body: Buffer): Buffer {
  if (body.indexOf('\r\n..') < 0 && !(body[0] === 0x2e && body[1] === 0x2e)) return body;
  const text = body.toString('latin1').replace(/(^|\r\n)\.\./g, '$1.');
  return Buffer.from(text, 'latin1');
}
