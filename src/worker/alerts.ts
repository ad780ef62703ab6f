import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { AlertService } from '../services/alerts/alerts.js';
import type { SessionService } from '../services/access/sessions.js';

export interface AlertTick {
  transitions: number;
  sent: number;
  retrying: number;
  dead: number;
}

/**
 * The alert loop of the worker process: every interval, evaluate the rules (recording and
 * queueing transitions) and send due notifications; expired dashboard sessions are pruned on
 * the way. Emits `tick` after each round so tests wait for it instead of sleeping.
 */
export class AlertLoop extends EventEmitter<{ tick: [AlertTick]; failure: [unknown] }> {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(
    private readonly alerts: AlertService,
    private readonly sessions: SessionService,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {
    super();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = null;
        this.schedule(this.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  /** One round; never throws (a database outage is logged and the next round tries again). */
  async tick(): Promise<void> {
    try {
      const transitions = await this.alerts.evaluate();
      const sent = await this.alerts.deliverNotifications();
      await this.sessions.prune();
      this.emit('tick', { transitions: transitions.length, ...sent });
    } catch (err) {
      this.logger.error({ err: String((err as Error)?.message ?? err) }, 'alert evaluation failed');
      this.emit('failure', err);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
