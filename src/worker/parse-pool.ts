import { Piscina } from 'piscina';
import { ParseError } from '../core/errors.js';
import type { ParseOffload, ProviderEndpoint, WebhookRequest } from '../providers/types.js';
import type { ParseMailAnswer, ParseMailTask } from './parse-mail.thread.js';

export interface ParsePoolOptions {
  /** Bounce mails of at least this many bytes are parsed in a thread (`BOUNCER_BOUNCE_MAIL_OFFLOAD_BYTES`). */
  minBytes: number;
  /** Worker threads (`BOUNCER_PARSE_THREADS`). */
  threads: number;
  /** VERP pattern the adapter uses when a request names none. */
  verp: string | null;
}

export interface ParsePool extends ParseOffload {
  close(): Promise<void>;
}

/**
 * Bounce-mail parsing of large messages in worker threads: parsing is linear, but a 10 MiB
 * mail still costs a noticeable slice of CPU, and on the event loop that slice is taken from
 * every other request. Small mails stay inline (a thread hop costs more than their parse).
 */
export function createParsePool(opts: ParsePoolOptions): ParsePool {
  // Under tsx/vitest this module is TypeScript: the thread needs the same loader.
  const fromSource = import.meta.url.endsWith('.ts');
  const pool = new Piscina({
    filename: new URL(`./parse-mail.thread.${fromSource ? 'ts' : 'js'}`, import.meta.url).href,
    minThreads: 0,
    maxThreads: opts.threads,
    idleTimeout: 30_000,
    execArgv: fromSource ? ['--import', 'tsx'] : [],
  });
  return {
    accepts: (endpoint: ProviderEndpoint, req: WebhookRequest) =>
      endpoint.adapter.name === 'bounce-mail' && req.rawBody.length >= opts.minBytes,
    async parse(_endpoint, req, ctx) {
      const task: ParseMailTask = {
        body: req.rawBody,
        url: req.url,
        params: { ...req.params },
        receivedAt: req.receivedAt,
        verp: opts.verp,
        ctx: { ...ctx },
      };
      const answer = (await pool.run(task)) as ParseMailAnswer;
      if (answer.ok) return answer.result;
      if (answer.parseError) throw new ParseError(answer.message);
      throw new Error(answer.message);
    },
    close: () => pool.destroy(),
  };
}
