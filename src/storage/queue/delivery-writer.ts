import { performance } from 'node:perf_hooks';
import type { NewDeliveryRow } from '../schema.js';

interface Pending {
  row: NewDeliveryRow;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for incoming deliveries: requests that arrive while a commit is in flight wait
 * for the next one and share it, so durability costs one transaction (one fsync) per batch,
 * not per request. A write resolves only after its transaction committed.
 */
export class DeliveryWriter {
  private queue: Pending[] = [];
  private running = false;
  private readonly idle: Array<() => void> = [];

  constructor(
    /** Commits rows in one transaction (Db.writeDeliveries). */
    private readonly sink: (rows: readonly NewDeliveryRow[]) => Promise<void>,
    private readonly maxBatch = 1_000,
    /** After each commit, with its duration in milliseconds. */
    private readonly onCommit: (rows: readonly NewDeliveryRow[], ms: number) => void = () =>
      undefined,
  ) {}

  write(row: NewDeliveryRow): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Let the requests already parsed in this turn of the event loop join the batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Resolves when nothing is queued or being written. */
  async flushed(): Promise<void> {
    if (!this.running && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      const rows = batch.map((p) => p.row);
      try {
        const started = performance.now();
        await this.sink(rows);
        const ms = performance.now() - started;
        for (const p of batch) p.resolve();
        this.onCommit(rows, ms);
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.running = false;
    for (const done of this.idle.splice(0)) done();
  }
}
