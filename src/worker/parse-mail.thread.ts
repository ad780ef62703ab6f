import { ParseError } from '../core/errors.js';
import { createBounceMailAdapter } from '../providers/bounce-mail/bounce-mail.adapter.js';
import type { AdapterResult, ParseContext } from '../providers/types.js';

/** What the pool sends a thread: the stored request, as plain data. */
export interface ParseMailTask {
  body: Uint8Array;
  url: string;
  params: Record<string, string>;
  receivedAt: number;
  verp: string | null;
  ctx: ParseContext;
}

export type ParseMailAnswer =
  { ok: true; result: AdapterResult } | { ok: false; parseError: boolean; message: string };

/** Runs in a worker thread (piscina): the bounce-mail adapter's parse, errors as values. */
export default function parseMailTask(task: ParseMailTask): ParseMailAnswer {
  const adapter = createBounceMailAdapter({ verp: task.verp });
  const req = {
    rawBody: Buffer.from(task.body.buffer, task.body.byteOffset, task.body.byteLength),
    headers: {},
    url: task.url,
    params: task.params,
    receivedAt: task.receivedAt,
  };
  try {
    return { ok: true, result: adapter.parse(req, task.ctx) };
  } catch (err) {
    return {
      ok: false,
      parseError: err instanceof ParseError,
      message: String((err as Error)?.message ?? err),
    };
  }
}
