import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ApplyResult } from '../processing/apply-events.js';
import type { BatchReport } from '../processing/process-deliveries.js';

import type { WebhookOutcome } from '../../providers/types.js';

/** What the scrape reads from the database (counted at scrape time, not kept in memory). */
export interface QueueGauges {
  pending: number;
  processing: number;
  dead: number;
  oldestWaitingAt: number | null;
}

/**
 * Prometheus metrics on a Registry of their own (never prom-client's global one, so several
 * apps in one process, as in tests, do not collide). Services call the small hook methods;
 * nothing else in the code base knows about prom-client.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly webhooks: Counter<'provider' | 'outcome'>;
  private readonly events: Counter<'type' | 'provider'>;
  private readonly suppressionChanges: Counter<'reason' | 'kind'>;
  private readonly lag: Histogram;
  private readonly deliveriesFinished: Counter<'status'>;
  private readonly requests: Histogram<'route' | 'status'>;
  private readonly commits: Histogram;
  private readonly committedRows: Counter;
  private queueSource: (() => Promise<QueueGauges>) | null = null;
  private outboundSource: (() => Promise<{ pending: number; dead: number }>) | null = null;
  private readonly outboundAttempts: Counter<'result'>;
  private readonly outboundSeconds: Histogram;
  private readonly now: () => number;

  constructor(opts: { defaultMetrics?: boolean; now?: () => number } = {}) {
    const registers = [this.registry];
    this.now = opts.now ?? Date.now;
    if (opts.defaultMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'bouncer_' });
    this.webhooks = new Counter({
      name: 'bouncer_webhook_requests_total',
      help: 'Webhook requests by provider and outcome (accepted, ignored, rejected, failed)',
      labelNames: ['provider', 'outcome'],
      registers,
    });
    this.events = new Counter({
      name: 'bouncer_events_total',
      help: 'New (non-duplicate) events applied, by type and provider',
      labelNames: ['type', 'provider'],
      registers,
    });
    this.suppressionChanges = new Counter({
      name: 'bouncer_suppression_changes_total',
      help: 'Suppression rows created, updated or lifted by the worker, by reason',
      labelNames: ['reason', 'kind'],
      registers,
    });
    this.lag = new Histogram({
      name: 'bouncer_processing_lag_seconds',
      help: 'Time from acknowledging a webhook to applying it',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 900, 3600],
      registers,
    });
    this.deliveriesFinished = new Counter({
      name: 'bouncer_deliveries_processed_total',
      help: 'Deliveries finished by the worker, by status (done, ignored, dead, retried)',
      labelNames: ['status'],
      registers,
    });
    this.requests = new Histogram({
      name: 'bouncer_api_request_duration_seconds',
      help: 'Latency of /v1/check and /v1/filter by route and status',
      labelNames: ['route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.commits = new Histogram({
      name: 'bouncer_delivery_commit_seconds',
      help: 'Group commits of incoming deliveries: time from starting the transaction to its durable commit',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.committedRows = new Counter({
      name: 'bouncer_delivery_commit_rows_total',
      help: 'Deliveries written by group commits (divide by the commit count for the batch size)',
      registers,
    });
    this.outboundAttempts = new Counter({
      name: 'bouncer_outbound_attempts_total',
      help: 'Signed change event delivery attempts, by result (delivered, retry, dead)',
      labelNames: ['result'],
      registers,
    });
    this.outboundSeconds = new Histogram({
      name: 'bouncer_outbound_attempt_seconds',
      help: 'Duration of one signed change event delivery attempt',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.queueGauges(registers);
    const outbound = (name: string, help: string, pick: 'pending' | 'dead'): void => {
      const source = (): typeof this.outboundSource => this.outboundSource;
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          const s = source();
          this.set(
            s
              ? await s().then(
                  (c) => c[pick],
                  () => NaN,
                )
              : 0,
          );
        },
      });
    };
    outbound('bouncer_outbound_pending', 'Signed change events waiting to be delivered', 'pending');
    outbound('bouncer_outbound_dead', 'Signed change events given up on, awaiting replay', 'dead');
  }

  /** Where the outbound gauges read from. */
  setOutboundSource(source: () => Promise<{ pending: number; dead: number }>): void {
    this.outboundSource = source;
  }

  outboundAttempt(result: 'delivered' | 'retry' | 'dead', seconds: number): void {
    this.outboundAttempts.inc({ result });
    this.outboundSeconds.observe(seconds);
  }

  private queueGauges(registers: Registry[]): void {
    // A database outage must not fail the whole scrape: the gauges read NaN and the process
    // metrics still arrive (the outage shows in bouncer_backlog_* going NaN).
    const read = async (): Promise<QueueGauges | 'error' | null> =>
      this.queueSource ? this.queueSource().catch(() => 'error' as const) : null;
    // One database read per scrape feeds all four gauges.
    let pending: Promise<QueueGauges | 'error' | null> | null = null;
    const shared = (): Promise<QueueGauges | 'error' | null> =>
      (pending ??= read().finally(() => setTimeout(() => (pending = null), 0)));
    const gauge = (name: string, help: string, pick: (q: QueueGauges) => number): void => {
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          const q = await shared();
          this.set(q === 'error' ? NaN : q ? pick(q) : 0);
        },
      });
    };
    gauge('bouncer_backlog_pending', 'Deliveries waiting to be processed', (q) => q.pending);
    gauge(
      'bouncer_backlog_processing',
      'Deliveries claimed by a worker right now',
      (q) => q.processing,
    );
    gauge(
      'bouncer_backlog_oldest_age_seconds',
      'Age of the oldest waiting delivery (0 when the queue is empty)',
      (q) =>
        q.oldestWaitingAt === null ? 0 : Math.max(0, (this.now() - q.oldestWaitingAt) / 1_000),
    );
    gauge(
      'bouncer_dead_deliveries',
      'Dead deliveries (unparseable or out of attempts) awaiting replay',
      (q) => q.dead,
    );
  }

  /** Where the backlog gauges read from; set once the database is open. */
  setQueueSource(source: () => Promise<QueueGauges>): void {
    this.queueSource = source;
  }

  /** One group commit of `rows` deliveries that took `seconds`. */
  deliveryCommit(rows: number, seconds: number): void {
    this.commits.observe(seconds);
    this.committedRows.inc(rows);
  }

  webhook(provider: string, outcome: WebhookOutcome): void {
    this.webhooks.inc({ provider, outcome });
  }

  applied(result: ApplyResult): void {
    for (const e of result.newEvents) this.events.inc({ type: e.event.type, provider: e.provider });
    for (const c of result.changes) this.suppressionChanges.inc({ reason: c.reason, kind: c.kind });
  }

  batch(report: BatchReport, now: number): void {
    for (const t of report.receivedAt) this.lag.observe(Math.max(0, (now - t) / 1_000));
    for (const status of ['done', 'ignored', 'dead', 'retried'] as const)
      if (report[status] > 0) this.deliveriesFinished.inc({ status }, report[status]);
  }

  request(route: string, status: number, seconds: number): void {
    this.requests.observe({ route, status: String(status) }, seconds);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
