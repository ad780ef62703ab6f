import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { BatchReport, DeliveryProcessor } from '../services/processing/process-deliveries.js';

export interface WorkerSettings {
  batchSize: number;
  pollIntervalMs: number;
  leaseMs: number;
  retentionDays: number;
  /** BOUNCER_EVENT_RETENTION_DAYS; 0 or absent keeps events for ever. */
  eventRetentionDays?: number;
  /**
   * After a batch that did not fill `batchSize`, wait this long (ms) before claiming again, so
   * deliveries accumulate into fewer, larger transactions. On SQLite every worker commit holds
   * the single write lock for an fsync that acknowledgements would otherwise queue behind.
   * Default 0 (claim again at once).
   */
  batchDelayMs?: number;
  /**
   * Keep each batch to about this many milliseconds of processing (0 or absent: always
   * `batchSize`). On SQLite a batch's transaction runs synchronously on the event loop, so a
   * batch of 500 is a 30–40 ms pause for every webhook and check in flight; the worker measures
   * its time per delivery and claims only as many as fit (at least MIN_SLICE_ROWS).
   */
  sliceMs?: number;
}

/** Fewest deliveries a time-sliced batch claims, so that commits stay amortised. */
const MIN_SLICE_ROWS = 16;

const PRUNE_INTERVAL_MS = 3_600_000;

/** The worker's settings from the configuration (time slices only where batches block: SQLite). */
export function workerSettings(w: Config['worker'], engine: 'sqlite' | 'postgres'): WorkerSettings {
  return {
    batchSize: w.batchSize,
    batchDelayMs: w.batchDelayMs,
    pollIntervalMs: w.pollIntervalMs,
    leaseMs: w.leaseMs,
    retentionDays: w.retentionDays,
    eventRetentionDays: w.eventRetentionDays,
    sliceMs: engine === 'sqlite' ? w.sliceMs : 0,
  };
}

/**
 * Durable background processing: claim → run → complete / retry / dead-letter, in a loop.
 * Woken at once when this process stores a delivery (`nudge`), and polls for work stored by
 * other instances. Emits `batch` (BatchReport) after each batch and `idle` when the queue is
 * empty, so tests wait for typed events instead of sleeping.
 */
export class Worker extends EventEmitter<{ batch: [BatchReport]; idle: []; failure: [unknown] }> {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private running = false;
  private loopDone: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private stopWake: (() => void) | null = null;
  private nudged = false;
  private lastReclaim = 0;
  private lastPrune = 0;
  /** Moving average of processing time per delivery (ms), for time-sliced batches. */
  private msPerDelivery = 0;

  constructor(
    private readonly processor: DeliveryProcessor,
    private readonly settings: WorkerSettings,
    private readonly logger: Logger,
  ) {
    super();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** New work was stored: look now rather than at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Stop claiming; resolves when the batch in hand is finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.stopWake?.();
    await this.loopDone;
  }

  /** Sleep that only stop() interrupts (nudges do not). */
  private async pause(ms: number): Promise<void> {
    if (ms <= 0 || !this.running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.stopWake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.stopWake = null;
  }

  private async sleep(ms: number): Promise<void> {
    if (this.nudged) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = null;
  }

  private async housekeeping(now: number): Promise<void> {
    if (now - this.lastReclaim >= Math.min(this.settings.leaseMs / 2, 30_000)) {
      this.lastReclaim = now;
      const n = await this.processor.reclaimExpired();
      if (n > 0) this.logger.warn({ count: n }, 'reclaimed deliveries whose lease expired');
    }
    if (now - this.lastPrune >= PRUNE_INTERVAL_MS) {
      this.lastPrune = now;
      const n = await this.processor.prune(this.settings.retentionDays);
      if (n > 0) this.logger.info({ count: n }, 'pruned raw deliveries past retention');
      const days = this.settings.eventRetentionDays ?? 0;
      const e = days > 0 ? await this.processor.pruneEvents(days) : 0;
      if (e > 0) this.logger.info({ count: e }, 'pruned events past retention');
    }
  }

  /** How many deliveries to claim next: batchSize, or what fits in the time slice. */
  batchLimit(): number {
    const { batchSize, sliceMs } = this.settings;
    if (!sliceMs || this.msPerDelivery === 0) return batchSize;
    return Math.max(
      Math.min(MIN_SLICE_ROWS, batchSize),
      Math.min(batchSize, Math.floor(sliceMs / this.msPerDelivery)),
    );
  }

  private measure(deliveries: number, ms: number): void {
    if (deliveries === 0) return;
    const sample = ms / deliveries;
    this.msPerDelivery =
      this.msPerDelivery === 0 ? sample : 0.8 * this.msPerDelivery + 0.2 * sample;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        await this.housekeeping(Date.now());
        if (failures > 0) {
          // The database was unreachable: a batch may have ended without its outcome recorded.
          const n = await this.processor.releaseClaims(this.id);
          if (n > 0)
            this.logger.warn({ count: n }, 'released deliveries left claimed by a database outage');
        }
        this.nudged = false;
        const limit = this.batchLimit();
        const started = performance.now();
        const report = await this.processor.claimAndProcess(this.id, limit, this.settings.leaseMs);
        this.measure(report.claimed, performance.now() - started);
        failures = 0;
        if (report.claimed === 0) {
          this.emit('idle');
          await this.sleep(this.settings.pollIntervalMs);
          continue;
        }
        if (report.unrecorded > 0) failures = 1;
        this.emit('batch', report);
        if (report.claimed < limit) await this.pause(this.settings.batchDelayMs ?? 0);
        // SQLite answers synchronously: without a turn of the event loop between batches, a
        // backlog would be worked off in one stretch while webhooks and checks wait.
        else await new Promise((resolve) => setImmediate(resolve));
      } catch (err) {
        // Typically the database is unreachable: back off and try again; nothing is lost,
        // claimed rows are released when it answers again (or reclaimed after their lease).
        failures++;
        this.emit('failure', err);
        this.logger.error({ err: String((err as Error)?.message ?? err) }, 'worker loop failed');
        await this.sleep(
          Math.min(this.settings.pollIntervalMs * 2 ** Math.min(failures, 6), 30_000),
        );
      }
    }
  }
}
