import { AppError, isAppError, ParseError } from '../../core/errors.js';
import type { NormalisedEvent } from '../../core/events.js';
import { splitMbox } from '../../bouncemail/index.js';
import type { Config } from '../../config.js';
import { createBounceMailAdapter } from '../../providers/bounce-mail/bounce-mail.adapter.js';
import { isRetryableDbError } from '../../storage/errors.js';
import type { Services } from '../container.js';
import type { ProviderEndpoint } from '../../providers/types.js';

/** An mbox file (first line `From `) becomes its messages; anything else is one message. */
export function readMailMessages(raw: Buffer): Buffer[] {
  if (raw.subarray(0, 5).toString('latin1') === 'From ') return splitMbox(raw);
  return raw.length > 0 ? [raw] : [];
}

export interface ParsedMailReport {
  index: number;
  /** `events`, `ignored` (auto-reply) or `unparsed` (nothing recognised). */
  outcome: 'events' | 'ignored' | 'unparsed';
  events: NormalisedEvent[];
  note: string | null;
}

function bounceMailEndpoint(endpoints: readonly ProviderEndpoint[]): ProviderEndpoint {
  const endpoint = endpoints.find((e) => e.id === 'bounce-mail');
  if (!endpoint)
    throw new AppError('BOUNCER_ERR_INTERNAL', 'the bounce-mail endpoint is not registered');
  return endpoint;
}

/** Parse without storing anything (`bouncer parse-mail`): the same adapter the worker uses. */
export function parseMailMessages(
  config: Readonly<Config>,
  messages: readonly Buffer[],
  opts: { verp?: string; receivedAt: number },
): ParsedMailReport[] {
  const adapter = createBounceMailAdapter({
    verp: config.bounceMail.verp,
    unsubscribe: config.unsubscribe,
  });
  const params: Record<string, string> = opts.verp ? { verp: opts.verp } : {};
  return messages.map((rawBody, index) => {
    const req = {
      rawBody,
      headers: {},
      url: 'cli:parse-mail',
      params,
      receivedAt: opts.receivedAt,
    };
    try {
      const r = adapter.parse(req, { defaultPhoneRegion: config.defaultPhoneRegion });
      if (r.kind === 'events') return { index, outcome: 'events', events: r.events, note: null };
      return {
        index,
        outcome: 'ignored',
        events: [],
        note: r.kind === 'ignored' ? r.reason : r.kind,
      };
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      return { index, outcome: 'unparsed', events: [], note: err.message };
    }
  });
}

export interface IngestMailReport {
  messages: number;
  stored: number;
  events: number;
  /** Stored as dead deliveries (inspect with `bouncer deliveries list --status dead`, replay later). */
  unparsed: number;
  deliveryIds: string[];
}

const INGEST_CHUNK = 200;

/** Store messages through the ingest service, as the HTTP endpoint does (`bouncer ingest-mail`). */
export async function ingestMailMessages(
  services: Services,
  messages: readonly Buffer[],
  opts: { verp?: string; source: string },
): Promise<IngestMailReport> {
  const endpoint = bounceMailEndpoint(services.endpoints);
  const report: IngestMailReport = {
    messages: messages.length,
    stored: 0,
    events: 0,
    unparsed: 0,
    deliveryIds: [],
  };
  const params: Record<string, string> = opts.verp ? { verp: opts.verp } : {};
  // A chunk is received concurrently so its rows share one group commit (one fsync per chunk,
  // not per message); chunks keep memory bounded for a large mbox.
  for (let i = 0; i < messages.length; i += INGEST_CHUNK) {
    const outcomes = await Promise.all(
      messages.slice(i, i + INGEST_CHUNK).map((rawBody) =>
        services.ingest.receive(endpoint, {
          rawBody,
          headers: { 'content-type': 'message/rfc822' },
          url: opts.source,
          params,
          receivedAt: services.clock.now(),
        }),
      ),
    );
    for (const outcome of outcomes) {
      report.deliveryIds.push(outcome.deliveryId);
      if (outcome.kind === 'unparseable') report.unparsed++;
      else {
        report.stored++;
        if (outcome.result.kind === 'events') report.events += outcome.result.events.length;
      }
    }
  }
  return report;
}

/** Apply every pending delivery now, as the worker would (for the CLI's `--process`). */
export async function processPending(
  services: Services,
  workerId: string,
): Promise<{ done: number; dead: number }> {
  const total = { done: 0, dead: 0 };
  for (;;) {
    const rows = await services.processor.claim(
      workerId,
      services.config.worker.batchSize,
      services.config.worker.leaseMs,
    );
    if (rows.length === 0) return total;
    const r = await services.processor.process(workerId, rows);
    total.done += r.done + r.ignored;
    total.dead += r.dead;
  }
}

/**
 * The database could not be reached or was busy: a caller such as an MTA should try again
 * later (EX_TEMPFAIL) rather than bounce the bounce. A SQLite file that cannot be opened counts
 * too (a full disk or an unmounted volume comes back).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (isAppError(err) && err.code === 'BOUNCER_ERR_UNAVAILABLE') return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_FULL' || code === 'SQLITE_READONLY')
    return true;
  if (isRetryableDbError(err)) return true;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause !== undefined && cause !== err && isDatabaseUnavailable(cause);
}
