import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CLI_BUNDLE } from './cli-bundle.js';
import { ADMIN_KEY, DRIP_SECRET, DRIP_URL_TOKEN } from './app.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A real `bouncer serve` child process (bundled from the current sources). */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Every JSON log line it wrote. */
  logs: Array<Record<string, unknown>>;
  /** Resolves with the exit code / signal once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The environment every child server starts from; override any variable. */
export function serverEnv(
  databaseUrl: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    BOUNCER_DATABASE_URL: databaseUrl,
    BOUNCER_API_KEY: ADMIN_KEY,
    BOUNCER_DRIP_SECRET: DRIP_SECRET,
    BOUNCER_DRIP_URL_TOKEN: DRIP_URL_TOKEN,
    BOUNCER_LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    BOUNCER_WORKER_POLL_MS: '100',
    ...overrides,
  };
}

export const SERVE_ARGS = [CLI_BUNDLE, 'serve'] as const;

/**
 * Start `bouncer serve` (or another script given as node arguments that logs the same line) and
 * resolve once it listens (its log names the URL).
 */
export async function startServerProcess(
  env: Record<string, string>,
  opts: { args?: readonly string[]; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, [...(opts.args ?? SERVE_ARGS)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'bouncer is serving') {
            clearTimeout(timer);
            resolve(String(entry.url));
          }
        } catch {
          // not a log line
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before serving: ${stderr}`));
    });
  });
  return {
    url,
    child,
    logs,
    exited,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export const signDrip = (body: string): string =>
  createHmac('sha256', DRIP_SECRET).update(body).digest('hex');

export function dripBounce(email: string, bounceType = 'hard'): string {
  return JSON.stringify({
    event: 'subscriber.bounced',
    data: {
      email,
      bounce_type: bounceType,
      bounce_reason: 'Address does not exist',
      occurred_at: '2026-11-01T10:00:00Z',
    },
  });
}

/** POST a signed single-event Drip webhook; resolves with the status (0: no answer). */
export async function postDrip(baseUrl: string, body: string): Promise<number> {
  try {
    const res = await fetch(`${baseUrl}/webhooks/drip/bounce`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-drip-signature': signDrip(body) },
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

export interface LoadResult {
  /** Addresses whose webhook got a 2xx: promises the server made. */
  acked: string[];
  statuses: Map<number, number>;
}

/**
 * Signed Drip webhooks with distinct addresses from `concurrency` loops, spread over the given
 * servers, until `stop()` or `total` requests. Records every acknowledged address.
 */
export function runLoad(
  targets: () => readonly string[],
  opts: { concurrency: number; total?: number; prefix: string },
): { stop(): void; done: Promise<LoadResult>; acked(): number } {
  let stopped = false;
  let next = 0;
  const acked: string[] = [];
  const statuses = new Map<number, number>();
  const loop = async (lane: number): Promise<void> => {
    while (!stopped && (opts.total === undefined || next < opts.total)) {
      const n = next++;
      const email = `${opts.prefix}-${n}@example.com`;
      const urls = targets();
      const status = await postDrip(urls[(n + lane) % urls.length]!, dripBounce(email));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 200 && status < 300) acked.push(email);
      if (status === 0) await new Promise((r) => setTimeout(r, 20));
    }
  };
  const done = Promise.all(Array.from({ length: opts.concurrency }, (_, i) => loop(i))).then(
    () => ({ acked, statuses }),
  );
  return { stop: () => (stopped = true), done, acked: () => acked.length };
}

/** Resolve when `predicate` holds, checking every `everyMs`; fail after `timeoutMs`. */
export async function waitFor(
  predicate: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
