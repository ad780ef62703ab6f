import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { dovecotBinary } from './legs.js';

/**
 * A private Dovecot (IMAP + POP3) for the mailbox tests: free local ports, a generated config,
 * one passwd-file user, Maildir under a temp directory, run as root in a sandbox (the login
 * processes as `dovenull`, mail as `dovecot`, as Dovecot insists). With `tls`, a throwaway
 * self-signed certificate enables STARTTLS on the plain ports and implicit TLS on two more; with
 * `idle: false` the IMAP server stops offering IDLE.
 *
 * Dovecot is an optional leg (`describe.skipIf(skipLeg('dovecot'))`): without it the mailbox
 * tests are skipped and listed at the end of the run; CI installs it (`apt-get install -y
 * dovecot-imapd dovecot-pop3d`) and sets BOUNCER_TEST_REQUIRE=all, so there it must be present.
 */
export interface Dovecot {
  host: string;
  imapPort: number;
  pop3Port: number;
  /** Implicit-TLS ports (0 unless started with `tls`). */
  imapsPort: number;
  pop3sPort: number;
  user: string;
  password: string;
  /** Put a message into a folder's `new/` ("INBOX" or a folder name), as an MDA would. */
  deliver(raw: Buffer | string, folder?: string): void;
  /** How many messages a folder holds (0 when it does not exist). */
  count(folder?: string): number;
  /** The messages of a folder, raw. */
  messages(folder?: string): Buffer[];
  /** Stop the server (dropping every connection) and start it again on the same ports. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const USER = 'bounces';
const PASSWORD = 'dovecot-test-password';

export function assertDovecotInstalled(): string {
  const binary = dovecotBinary();
  if (binary === '') {
    throw new Error(
      'Dovecot is not installed, and the mailbox tests need a real IMAP/POP3 server. ' +
        'Install it with: apt-get update && apt-get install -y dovecot-imapd dovecot-pop3d',
    );
  }
  return binary;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function ids(name: string): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync('id', ['-u', name], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', name], { encoding: 'utf8' })),
  };
}

function config(
  dir: string,
  ports: { imap: number; pop3: number; imaps: number; pop3s: number },
  users: { internal: string; login: string; mail: string },
  tls: boolean,
  idle: boolean,
): string {
  const listener = (service: string, name: string, port: number, ssl = false): string =>
    `service ${service} {\n  inet_listener ${name} {\n    address = 127.0.0.1\n    port = ${port}\n${ssl ? '    ssl = yes\n' : ''}  }\n}\n`;
  return [
    'protocols = imap pop3',
    'listen = 127.0.0.1',
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${dir}/dovecot.log`,
    tls ? `ssl = yes\nssl_cert = <${dir}/cert.pem\nssl_key = <${dir}/key.pem` : 'ssl = no',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    `default_internal_user = ${users.internal}`,
    `default_login_user = ${users.login}`,
    'first_valid_uid = 0',
    `mail_location = maildir:${dir}/mail/%u`,
    'pop3_uidl_format = %08Xu%08Xv',
    // Without IDLE in the list, clients must poll (what some hosted IMAP servers force).
    idle
      ? ''
      : 'imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ UIDPLUS MOVE',
    `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ${dir}/passwd\n}`,
    `userdb {\n  driver = static\n  args = uid=${users.mail} gid=${users.mail} home=${dir}/mail/%u\n}`,
    listener('imap-login', 'imap', ports.imap) +
      (tls ? listener('imap-login', 'imaps', ports.imaps, true) : ''),
    listener('pop3-login', 'pop3', ports.pop3) +
      (tls ? listener('pop3-login', 'pop3s', ports.pop3s, true) : ''),
    'service imap-login {\n  chroot =\n}\nservice pop3-login {\n  chroot =\n}\nservice anvil {\n  chroot =\n}',
    '',
  ].join('\n');
}

async function waitForGreeting(port: number, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('data', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
      s.setTimeout(1_000, () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`Dovecot did not answer on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startDovecot(opts: { tls?: boolean; idle?: boolean } = {}): Promise<Dovecot> {
  const binary = assertDovecotInstalled();
  const tls = opts.tls ?? false;
  const dir = mkdtempSync(join(tmpdir(), 'bouncer-dovecot-'));
  chmodSync(dir, 0o755);
  const root = process.getuid?.() === 0;
  // As root, Dovecot refuses to run logins as root; unprivileged, everything runs as us.
  const me = userInfo().username;
  const users = root
    ? { internal: 'dovecot', login: 'dovenull', mail: 'dovecot' }
    : { internal: me, login: me, mail: me };
  const owner = ids(users.mail);
  const ports = {
    imap: await freePort(),
    pop3: await freePort(),
    imaps: tls ? await freePort() : 0,
    pop3s: tls ? await freePort() : 0,
  };
  for (const d of ['run', 'state', 'mail']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'passwd'), `${USER}:{PLAIN}${PASSWORD}\n`);
  if (tls) {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
  }
  writeFileSync(join(dir, 'dovecot.conf'), config(dir, ports, users, tls, opts.idle ?? true));
  const maildir = join(dir, 'mail', USER);
  const folderDir = (folder: string): string =>
    folder === 'INBOX' ? maildir : join(maildir, `.${folder}`);
  const ensureFolder = (folder: string): string => {
    const base = folderDir(folder);
    for (const p of [
      join(dir, 'mail'),
      maildir,
      base,
      join(base, 'new'),
      join(base, 'cur'),
      join(base, 'tmp'),
    ]) {
      if (!existsSync(p)) mkdirSync(p);
      chownSync(p, owner.uid, owner.gid);
    }
    return base;
  };
  ensureFolder('INBOX');
  // In the foreground (-F): the test owns the process, and a daemon would keep our pipes open.
  const launch = async (): Promise<{ stop(): Promise<void> }> => {
    const master = spawn(binary, ['-F', '-c', join(dir, 'dovecot.conf')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    master.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => master.once('exit', () => resolve()));
    const early = exited.then(() => {
      throw new Error(`dovecot exited at startup: ${stderr.trim()} (log: ${dir}/dovecot.log)`);
    });
    early.catch(() => undefined);
    await Promise.race([
      Promise.all([waitForGreeting(ports.imap, 10_000), waitForGreeting(ports.pop3, 10_000)]),
      early,
    ]);
    return {
      async stop() {
        if (master.exitCode !== null) return;
        master.kill('SIGTERM');
        await exited;
      },
    };
  };
  let running = await launch();
  let seq = 0;
  const files = (folder: string): string[] => {
    const base = folderDir(folder);
    if (!existsSync(base)) return [];
    return ['new', 'cur'].flatMap((sub) =>
      existsSync(join(base, sub))
        ? readdirSync(join(base, sub)).map((f) => join(base, sub, f))
        : [],
    );
  };
  return {
    host: '127.0.0.1',
    imapPort: ports.imap,
    pop3Port: ports.pop3,
    imapsPort: ports.imaps,
    pop3sPort: ports.pop3s,
    user: USER,
    password: PASSWORD,
    deliver(raw, folder = 'INBOX') {
      const file = join(
        ensureFolder(folder),
        'new',
        `${Date.now()}.${process.pid}_${++seq}.bouncer-test`,
      );
      writeFileSync(file, raw);
      chownSync(file, owner.uid, owner.gid);
    },
    count: (folder = 'INBOX') => files(folder).length,
    messages: (folder = 'INBOX') => files(folder).map((f) => readFileSync(f)),
    async restart() {
      await running.stop();
      running = await launch();
    },
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
