import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { ParseError } from '../../core/errors.js';
import { isAllowlisted, type PolicyConfig } from '../../core/policy.js';
import { hashedEvent } from '../../core/privacy.js';
import { pruneEvents, redactDeliveries } from '../../storage/repositories/privacy.repository.js';
import type { Db, DbTransaction } from '../../storage/database.js';
import {
  claimDeliveries,
  reclaimExpired,
  releaseClaims,
} from '../../storage/queue/claim-deliveries.js';
import {
  completeDeliveries,
  pruneDeliveries,
  retryDelivery,
  type Completion,
} from '../../storage/queue/finish-deliveries.js';
import { isRetryableDbError } from '../../storage/errors.js';
import type { DeliveryRow } from '../../storage/schema.js';
import { applyEvents, type ApplyResult, type SourcedEvent } from './apply-events.js';
import { pruneKv } from '../../storage/repositories/kv.repository.js';
import {
  describeItemErrors,
  ignoredOutcome,
  parseRequest,
  type AdapterResult,
  type ParseContext,
  type ParseOffload,
  type ProviderEndpoint,
} from '../../providers/types.js';
import { storedRequest } from '../ingest/ingest.js';

export interface RetrySettings {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface BatchReport {
  claimed: number;
  done: number;
  ignored: number;
  dead: number;
  retried: number;
  /** Deliveries whose outcome could not be recorded (database gone): still claimed. */
  unrecorded: number;
  applied: ApplyResult[];
  /** Receipt times of the deliveries finished, for lag measurements. */
  receivedAt: number[];
}

/** Exponential backoff with jitter: base·2^(n-1), capped, then scaled into [50 %, 100 %]. */
export function backoffMs(attempt: number, s: RetrySettings, random: () => number): number {
  const raw = Math.min(s.retryMaxMs, s.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.5 + random() / 2));
}

const emptyReport = (claimed: number): BatchReport => ({
  claimed,
  done: 0,
  ignored: 0,
  dead: 0,
  retried: 0,
  unrecorded: 0,
  applied: [],
  receivedAt: [],
});

/** Must match services/ingest/ingest.ts IDEMPOTENCY_PREFIX (processing does not import ingest). */
const IDEMPOTENCY_KV_PREFIX = 'idem:';

/**
 * Events applied per transaction. One transaction holds SQLite's writer (and, better-sqlite3
 * being synchronous, the event loop); 2,000 events take tens of milliseconds.
 */
export const MAX_EVENTS_PER_TRANSACTION = 2_000;

function mergeResults(a: ApplyResult, b: ApplyResult): ApplyResult {
  return {
    newEvents: [...a.newEvents, ...b.newEvents],
    duplicates: a.duplicates + b.duplicates,
    changes: [...a.changes, ...b.changes],
  };
}

/** Rolls the claim back: the batch goes the long way, parsed outside any transaction. */
const OFFLOAD = new Error('batch holds a delivery parsed off the event loop');

interface Parsed {
  row: DeliveryRow;
  events: SourcedEvent[];
  completion: Completion | null;
}

/**
 * The worker's use case: claim due deliveries, parse the stored bytes again, apply the events
 * and mark the deliveries finished in one transaction (a batch shares the commit), so a crash
 * between the two is impossible and a re-run is a no-op thanks to the dedup keys.
 */
export class DeliveryProcessor {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      logger: Logger;
      policy: PolicyConfig;
      parseContext: ParseContext;
      /** Large bodies parsed off the event loop (bounce mail); absent: inline. */
      offload?: ParseOffload;
      endpoints: ReadonlyMap<string, ProviderEndpoint>;
      retry: RetrySettings;
      random?: () => number;
      onApplied?: (result: ApplyResult, rows: readonly DeliveryRow[]) => void;
      /** BOUNCER_PRIVACY_MODE and its pepper: hashed mode stores keyed hashes, no raw requests. */
      privacy?: { mode: 'plain' | 'hashed'; pepper: string | null };
    },
  ) {}

  claim(workerId: string, limit: number, leaseMs: number): Promise<DeliveryRow[]> {
    return claimDeliveries(
      this.deps.db.kysely,
      this.deps.db.caps,
      workerId,
      limit,
      this.deps.clock.now(),
      leaseMs,
    );
  }

  /** Return this worker's unfinished claims to the queue (call between batches only). */
  releaseClaims(workerId: string): Promise<number> {
    return releaseClaims(this.deps.db.kysely, workerId, this.deps.clock.now());
  }

  reclaimExpired(): Promise<number> {
    return reclaimExpired(this.deps.db.kysely, this.deps.clock.now());
  }

  async prune(retentionDays: number): Promise<number> {
    const before = this.deps.clock.now() - retentionDays * 86_400_000;
    // Idempotency-Keys live as long as the deliveries they guard.
    await pruneKv(this.deps.db.kysely, IDEMPOTENCY_KV_PREFIX, before);
    return pruneDeliveries(this.deps.db.kysely, before, 5_000);
  }

  /** True when this row is parsed in the offload pool (so not inside a transaction). */
  private offloaded(row: DeliveryRow): boolean {
    const endpoint = this.deps.endpoints.get(row.endpoint);
    return (
      endpoint !== undefined && this.deps.offload?.accepts(endpoint, storedRequest(row)) === true
    );
  }

  /**
   * Events older than the retention (BOUNCER_EVENT_RETENTION_DAYS); suppressions stay, they keep
   * their own first/last event times. Up to 5,000 a call, as for deliveries.
   */
  pruneEvents(retentionDays: number): Promise<number> {
    return pruneEvents(
      this.deps.db.kysely,
      this.deps.clock.now() - retentionDays * 86_400_000,
      5_000,
    );
  }

  private parse(row: DeliveryRow): Parsed {
    return this.outcome(row, () => {
      const endpoint = this.deps.endpoints.get(row.endpoint);
      return endpoint ? endpoint.adapter.parse(storedRequest(row), this.deps.parseContext) : null;
    });
  }

  private async parseAsync(row: DeliveryRow): Promise<Parsed> {
    const endpoint = this.deps.endpoints.get(row.endpoint);
    if (!endpoint) return this.parse(row);
    let result: AdapterResult;
    try {
      result = await parseRequest(
        this.deps.offload,
        endpoint,
        storedRequest(row),
        this.deps.parseContext,
      );
    } catch (err) {
      return this.outcome(row, () => {
        throw err;
      });
    }
    return this.outcome(row, () => result);
  }

  private outcome(row: DeliveryRow, run: () => AdapterResult | null): Parsed {
    try {
      const result = run();
      if (!result)
        return {
          row,
          events: [],
          completion: {
            id: row.id,
            status: 'dead',
            outcome: 'no such endpoint',
            error: `endpoint "${row.endpoint}" is not configured`,
          },
        };
      if (result.kind !== 'events' || result.events.length === 0) {
        return {
          row,
          events: [],
          completion: {
            id: row.id,
            status: 'ignored',
            outcome: ignoredOutcome(result),
          },
        };
      }
      const receivedAt = Number(row.received_at);
      const events = result.events.map((event) => ({
        provider: row.provider,
        deliveryId: row.id,
        receivedAt,
        event,
      }));
      const itemErrors = result.errors.length > 0 ? `; ${describeItemErrors(result.errors)}` : '';
      return {
        row,
        events,
        completion: {
          id: row.id,
          status: 'done',
          outcome: `${events.length} event(s)${itemErrors}`,
        },
      };
    } catch (err) {
      if (err instanceof ParseError)
        return {
          row,
          events: [],
          completion: { id: row.id, status: 'dead', outcome: 'parse error', error: err.message },
        };
      return {
        row,
        events: [],
        completion: {
          id: row.id,
          status: 'dead',
          outcome: 'adapter error',
          error: String((err as Error).message ?? err),
        },
      };
    }
  }

  /** Process claimed rows. Never throws for a row's own failure; it is retried or dead-lettered. */
  async process(workerId: string, rows: readonly DeliveryRow[]): Promise<BatchReport> {
    const report = emptyReport(rows.length);
    if (rows.length === 0) return report;
    const parsed = await Promise.all(rows.map((r) => this.parseAsync(r)));
    try {
      await this.commit(workerId, parsed, report);
    } catch (err) {
      if (parsed.length === 1) {
        await this.fail(workerId, parsed[0]!.row, err, report);
      } else {
        // Find the culprit: one delivery per transaction.
        for (const p of parsed) {
          try {
            await this.commit(workerId, [p], report);
          } catch (e) {
            await this.fail(workerId, p.row, e, report);
          }
        }
      }
    }
    return report;
  }

  /**
   * Claim, process and finish one batch in a single transaction: the claim costs no commit of
   * its own, and a crash anywhere before the commit leaves the deliveries pending as they were.
   * Should the transaction fail (a row's events cannot be applied, the database is busy), it
   * is rolled back and the batch goes the long way (`claim` committed, then `process`, which
   * finds the culprit and retries or dead-letters it alone).
   */
  async claimAndProcess(workerId: string, limit: number, leaseMs: number): Promise<BatchReport> {
    const now = this.deps.clock.now();
    let parsed: Parsed[] = [];
    let result: ApplyResult;
    try {
      result = await this.deps.db.replayableTransaction(async (trx) => {
        const rows = await claimDeliveries(trx, this.deps.db.caps, workerId, limit, now, leaseMs);
        // A large mail is parsed in a thread, never while this transaction holds the writer.
        if (rows.some((r) => this.offloaded(r))) throw OFFLOAD;
        parsed = rows.map((r) => this.parse(r));
        // Too many events for one transaction: the long way applies them in slices.
        if (parsed.reduce((n, p) => n + p.events.length, 0) > MAX_EVENTS_PER_TRANSACTION)
          throw OFFLOAD;
        return this.finish(trx, workerId, parsed, now);
      });
    } catch (err) {
      if (err === OFFLOAD)
        return this.process(workerId, await this.claim(workerId, limit, leaseMs));
      this.deps.logger.warn(
        { err: String((err as Error)?.message ?? err) },
        'batch failed as a whole; processing its deliveries one by one',
      );
      return this.process(workerId, await this.claim(workerId, limit, leaseMs));
    }
    const report = emptyReport(parsed.length);
    if (parsed.length > 0) this.record(report, parsed, result);
    return report;
  }

  private async commit(
    workerId: string,
    parsed: readonly Parsed[],
    report: BatchReport,
  ): Promise<void> {
    const now = this.deps.clock.now();
    const events = this.eventsOf(parsed);
    let result: ApplyResult = { newEvents: [], duplicates: 0, changes: [] };
    let from = 0;
    // A huge delivery (48k SendGrid events) goes in slices of events, each its own transaction
    // with the event loop free in between; a crash between slices is safe (the dedup keys make
    // the re-run skip what was applied), and only the last slice completes the deliveries.
    for (; events.length - from > MAX_EVENTS_PER_TRANSACTION; from += MAX_EVENTS_PER_TRANSACTION) {
      const slice = events.slice(from, from + MAX_EVENTS_PER_TRANSACTION);
      const { db } = this.deps;
      const r = await db.replayableTransaction((trx) =>
        applyEvents(trx, db.caps, this.deps.policy, slice, now, db),
      );
      result = mergeResults(result, r);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const rest = from === 0 ? undefined : events.slice(from);
    // Replayable: until this commits, the deliveries stay claimed and are processed again.
    const last = await this.deps.db.replayableTransaction((trx) =>
      this.finish(trx, workerId, parsed, now, rest),
    );
    this.record(report, parsed, mergeResults(result, last));
  }

  /** Apply the parsed deliveries' events and mark them finished, in the caller's transaction. */
  private async finish(
    trx: DbTransaction,
    workerId: string,
    parsed: readonly Parsed[],
    now: number,
    /** The events still to apply, when earlier slices applied the others. */
    remaining?: readonly SourcedEvent[],
  ): Promise<ApplyResult> {
    const pepper = this.deps.privacy?.mode === 'hashed' ? this.deps.privacy.pepper : null;
    const events = remaining ?? this.eventsOf(parsed);
    const { db } = this.deps;
    const applied = await applyEvents(trx, db.caps, this.deps.policy, events, now, db);
    const completions = parsed.map((p) => p.completion).filter((c): c is Completion => c !== null);
    await completeDeliveries(trx, workerId, completions, now);
    if (pepper !== null)
      await redactDeliveries(
        trx,
        completions.filter((c) => c.status !== 'dead').map((c) => c.id),
      );
    return applied;
  }

  /** The parsed deliveries' events, hashed in privacy mode before anything stores them. */
  private eventsOf(parsed: readonly Parsed[]): SourcedEvent[] {
    const pepper = this.deps.privacy?.mode === 'hashed' ? this.deps.privacy.pepper : null;
    return parsed.flatMap((p) =>
      pepper === null ? p.events : p.events.map((e) => this.hashed(pepper, e)),
    );
  }

  /**
   * Hashed mode: the policy's allowlist needs the address text, which the stored event no longer
   * has, so it is consulted here; an allowlisted address's event keeps no suppression reason.
   */
  private hashed(pepper: string, e: SourcedEvent): SourcedEvent {
    const { event } = e;
    const allowlisted =
      event.reason !== null && isAllowlisted(this.deps.policy, event.channel, event.address);
    return {
      ...e,
      event: hashedEvent(pepper, allowlisted ? { ...event, reason: null } : event),
    };
  }

  private record(report: BatchReport, parsed: readonly Parsed[], result: ApplyResult): void {
    report.applied.push(result);
    for (const p of parsed) {
      const s = p.completion?.status;
      if (s === 'done') report.done++;
      else if (s === 'ignored') report.ignored++;
      else if (s === 'dead') report.dead++;
      report.receivedAt.push(Number(p.row.received_at));
    }
    this.deps.onApplied?.(
      result,
      parsed.map((p) => p.row),
    );
  }

  private async fail(
    workerId: string,
    row: DeliveryRow,
    err: unknown,
    report: BatchReport,
  ): Promise<void> {
    const message = String((err as Error)?.message ?? err).slice(0, 1_000);
    const now = this.deps.clock.now();
    const retryable = isRetryableDbError(err);
    try {
      if (retryable && row.attempts < this.deps.retry.maxAttempts) {
        const delay = backoffMs(row.attempts, this.deps.retry, this.deps.random ?? Math.random);
        await retryDelivery(this.deps.db.kysely, workerId, row.id, message, now + delay);
        report.retried++;
        this.deps.logger.warn(
          { delivery: row.id, attempt: row.attempts, delayMs: delay, err: message },
          'delivery failed, will retry',
        );
      } else {
        await completeDeliveries(
          this.deps.db.kysely,
          workerId,
          [
            {
              id: row.id,
              status: 'dead',
              outcome: retryable ? 'attempts exhausted' : 'failed',
              error: message,
            },
          ],
          now,
        );
        report.dead++;
        this.deps.logger.error(
          { delivery: row.id, attempts: row.attempts, err: message },
          'delivery is dead',
        );
      }
    } catch (writeErr) {
      // The database is gone too: the worker releases it once the database answers again (or
      // another instance takes it when the lease expires).
      report.unrecorded++;
      this.deps.logger.error(
        { delivery: row.id, err: String(writeErr) },
        'could not record delivery failure',
      );
    }
  }
}
