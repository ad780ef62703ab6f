import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { OutboundService } from '../services/outbound/outbound.js';
import type { SyncService } from '../services/sync/sync-service.js';

export interface OutboundTick {
  tried: number;
  delivered: number;
  retry: number;
  dead: number;
  expired: number;
  pulled: number;
}

const PRUNE_INTERVAL_MS = 3_600_000;
const PULL_CHECK_MS = 60_000;

/**
 * The outbound loop of the worker: send due change events, sweep ended cool-downs every
 * `sweepMs`, and sleep `pollMs` or until woken (`nudge`, called when a change commits in this
 * process, so an idle server sends within milliseconds). Emits `tick` after each round.
 */
export class OutboundLoop extends EventEmitter<{ tick: [OutboundTick]; failure: [unknown] }> {
  private running = false;
  private done: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private nudged = false;
  private lastSweep = 0;
  private lastPrune = 0;
  private lastPull = 0;

  constructor(
    private readonly outbound: OutboundService,
    private readonly settings: { pollMs: number; sweepMs: number; pullMs?: number },
    private readonly logger: Logger,
    private readonly sync?: SyncService,
  ) {
    super();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.loop();
  }

  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.done;
  }

  /** One round: sweep if due, then send until nothing is due. Never throws. */
  async tick(now = Date.now()): Promise<OutboundTick> {
    const t: OutboundTick = { tried: 0, delivered: 0, retry: 0, dead: 0, expired: 0, pulled: 0 };
    if (now - this.lastSweep >= this.settings.sweepMs) {
      this.lastSweep = now;
      t.expired = await this.outbound.sweepExpired();
    }
    if (now - this.lastPrune >= PRUNE_INTERVAL_MS) {
      this.lastPrune = now;
      await this.outbound.prune();
    }
    // Which pulls are due is kept in the database (sync.pullIfDue); look at most once a minute.
    if (
      this.sync &&
      this.settings.pullMs &&
      now - this.lastPull >= Math.min(this.settings.pullMs, PULL_CHECK_MS)
    ) {
      this.lastPull = now;
      t.pulled = await this.pullAll();
    }
    for (;;) {
      const r = await this.outbound.deliverDue();
      t.tried += r.tried;
      t.delivered += r.delivered;
      t.retry += r.retry;
      t.dead += r.dead;
      // Only delivered rows can unblock the next event of their address: go round again.
      if (r.tried === 0 || r.delivered === 0) break;
    }
    return t;
  }

  /** Pull every configured provider; one failing (down, rate-limited) does not stop the others. */
  private async pullAll(): Promise<number> {
    let imported = 0;
    for (const p of this.sync?.pullable() ?? []) {
      try {
        const r = await this.sync!.pullIfDue(p);
        if (!r) continue;
        imported += r.imported;
        if (r.imported > 0) this.logger.info({ ...r }, 'pulled provider suppressions');
      } catch (err) {
        this.logger.warn(
          { provider: p, err: String((err as Error)?.message ?? err) },
          'pull failed; the next round resumes where it stopped',
        );
      }
    }
    return imported;
  }

  private async sleep(ms: number): Promise<void> {
    if (this.nudged || !this.running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = null;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.nudged = false;
      try {
        this.emit('tick', await this.tick());
        failures = 0;
        await this.sleep(this.settings.pollMs);
      } catch (err) {
        failures++;
        this.emit('failure', err);
        this.logger.error({ err: String((err as Error)?.message ?? err) }, 'outbound loop failed');
        await this.sleep(Math.min(this.settings.pollMs * 2 ** Math.min(failures, 6), 30_000));
      }
    }
  }
}
