import type { Logger } from 'pino';
import type { SyncConfig } from '../../config-sync.js';
import type { Clock } from '../../core/clock.js';
import { AppError, validationError } from '../../core/errors.js';
import type { Db } from '../../storage/database.js';
import { getKv, putKv, releaseLease, takeLease } from '../../storage/repositories/kv.repository.js';
import { randomUUID } from 'node:crypto';
import {
  pendingOrderKeys,
  subscriptionActivity,
} from '../../storage/repositories/outbound.repository.js';
import { isActive } from '../../core/policy.js';
import { activityToJson, type DeliveryActivityJson } from './delivery-activity.js';
import {
  findByKeys,
  suppressionKeyString,
} from '../../storage/repositories/suppression.repository.js';
import type { ImportService } from '../suppressions/import-suppressions.js';
import { buildProviderSyncs } from './providers.js';
import { PullError, type ProviderSync, type PulledEntry } from './provider-sync.js';
import { SYNC_PROVIDERS, syncTargetId, type SyncProvider } from './push-rules.js';

/** Re-read this much before the last pass's start: entries written while it ran are not missed. */
const OVERLAP_MS = 5 * 60_000;

interface PullState {
  /** The page to read next; null between passes. */
  cursor: unknown;
  /** When the pass in progress started (the next pass reads from here, minus the overlap). */
  passStartedAt: number | null;
  /** Where the pass in progress reads from (epoch ms). */
  since: number;
  lastCompletedAt: number | null;
  lastImported: number;
  lastSeen: number;
  lastError: string | null;
  /** After a failed page: not before this (epoch ms) is the pass resumed by the schedule. */
  retryAt?: number | null;
}

const EMPTY: PullState = {
  cursor: null,
  passStartedAt: null,
  since: 0,
  lastCompletedAt: null,
  lastImported: 0,
  lastSeen: 0,
  lastError: null,
};

const stateKey = (p: SyncProvider): string => `sync.${p}.pull`;
const leaseKey = (p: SyncProvider): string => `sync.${p}.pull.lease`;
/** A pass renews its lease after every page; one silent this long has crashed and is taken over. */
const LEASE_MS = 5 * 60_000;
/** A pass that failed is tried again after this long (not on every worker round). */
const RETRY_AFTER_FAILURE_MS = 60_000;

/** One provider's line of `GET /v1/sync` (and `bouncer sync status`, and the dashboard). */
export interface SyncProviderStatus {
  provider: SyncProvider;
  configured: boolean;
  push: DeliveryActivityJson;
  /** Null for a provider that is not configured or whose list is not pulled. */
  pull: {
    in_progress: boolean;
    last_started_at: string | null;
    last_completed_at: string | null;
    last_seen: number;
    last_imported: number;
    last_error: string | null;
    interval_minutes: number;
  } | null;
}

export interface PullReport {
  provider: SyncProvider;
  pages: number;
  seen: number;
  imported: number;
  /**
   * Entries skipped: Bouncer already suppresses the address (its own entry stands), or a change
   * for it is still on its way to this provider.
   */
  skipped: number;
}

/**
 * Pull: the providers' lists into Bouncer (source `sync:<provider>`), page by page with the
 * cursor in `kv` after each page, so a pass killed half-way resumes where it stopped. The first
 * pass reads the whole list (the initial import); later ones only what changed since.
 */
export class SyncService {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      logger: Logger;
      config: SyncConfig;
      imports: ImportService;
    },
  ) {
    this.providers = buildProviderSyncs(deps.config);
  }

  private readonly providers: Map<SyncProvider, ProviderSync>;

  configured(): SyncProvider[] {
    return SYNC_PROVIDERS.filter((p) => this.providers.has(p));
  }

  /** Configured providers whose lists are also pulled. */
  pullable(): SyncProvider[] {
    return this.configured().filter((p) => this.providers.get(p)!.pull !== null);
  }

  parseProvider(p: string): SyncProvider {
    const found = this.configured().find((c) => c === p);
    if (!found)
      throw validationError(
        'provider',
        `not a configured sync provider (configured: ${this.configured().join(', ') || 'none'})`,
      );
    return found;
  }

  async status(): Promise<{ providers: SyncProviderStatus[] }> {
    const q = this.deps.db.kysely;
    const iso = (ms: number | null): string | null =>
      ms === null ? null : new Date(ms).toISOString();
    const out: SyncProviderStatus[] = [];
    const activity = await subscriptionActivity(q, SYNC_PROVIDERS.map(syncTargetId));
    for (const p of SYNC_PROVIDERS) {
      const sync = this.providers.get(p);
      const s = (await getKv<PullState>(q, stateKey(p))) ?? EMPTY;
      const a = activity.get(syncTargetId(p))!;
      out.push({
        provider: p,
        configured: sync !== undefined,
        push: activityToJson(a),
        pull: !sync?.pull
          ? null
          : {
              in_progress: s.cursor !== null,
              last_started_at: iso(s.passStartedAt),
              last_completed_at: iso(s.lastCompletedAt),
              last_seen: s.lastSeen,
              last_imported: s.lastImported,
              last_error: s.lastError,
              interval_minutes: Math.round(this.deps.config.pullIntervalMs / 60_000),
            },
      });
    }
    return { providers: out };
  }

  /**
   * Pull a provider if its pass is due by the state in the database (so restarts and several
   * instances keep one schedule): never run, an interrupted pass to resume (a minute after its
   * last failure), or the interval since the last pass started is over. Null when not due or
   * another instance is pulling it.
   */
  async pullIfDue(provider: SyncProvider): Promise<PullReport | null> {
    if (!this.pullable().includes(provider)) return null;
    const now = this.deps.clock.now();
    const s = (await getKv<PullState>(this.deps.db.kysely, stateKey(provider))) ?? EMPTY;
    const due =
      s.passStartedAt === null ||
      (s.cursor !== null
        ? s.lastError === null || now >= (s.retryAt ?? 0)
        : now - s.passStartedAt >= this.deps.config.pullIntervalMs);
    if (!due) return null;
    try {
      return await this.pull(provider);
    } catch (err) {
      if (err instanceof AppError && err.code === 'BOUNCER_ERR_CONFLICT') return null;
      throw err;
    }
  }

  /**
   * Run (or resume) one pull pass of a provider's list, holding its lease (409 while another
   * instance or request is pulling the same provider).
   */
  async pull(provider: SyncProvider): Promise<PullReport> {
    const { db, clock } = this.deps;
    if (!this.pullable().includes(provider))
      return { provider, pages: 0, seen: 0, imported: 0, skipped: 0 };
    const holder = randomUUID();
    if (!(await takeLease(db.kysely, leaseKey(provider), holder, clock.now(), LEASE_MS)))
      throw new AppError('BOUNCER_ERR_CONFLICT', `a pull of ${provider} is already running`);
    try {
      return await this.pass(provider, holder);
    } finally {
      await releaseLease(db.kysely, leaseKey(provider), holder);
    }
  }

  private async pass(provider: SyncProvider, holder: string): Promise<PullReport> {
    const { db, clock } = this.deps;
    const puller = this.providers.get(provider)!.pull!;
    const key = stateKey(provider);
    let s = (await getKv<PullState>(db.kysely, key)) ?? EMPTY;
    if (s.cursor === null) {
      const now = clock.now();
      const since =
        s.lastCompletedAt === null ? 0 : Math.max(0, (s.passStartedAt ?? 0) - OVERLAP_MS);
      s = {
        ...s,
        passStartedAt: now,
        since,
        cursor: puller.first(since),
        lastSeen: 0,
        lastImported: 0,
      };
      await putKv(db.kysely, key, s, now);
    }
    const report: PullReport = { provider, pages: 0, seen: 0, imported: 0, skipped: 0 };
    try {
      while (s.cursor !== null) {
        const page = await puller.page(s.cursor, clock.now());
        report.pages++;
        report.seen += page.entries.length;
        const fresh = await this.withoutPendingPush(provider, page.entries);
        report.skipped += page.entries.length - fresh.length;
        const imported = await this.importEntries(provider, fresh);
        report.imported += imported;
        s = {
          ...s,
          cursor: page.next,
          lastSeen: s.lastSeen + page.entries.length,
          lastImported: s.lastImported + imported,
          lastError: null,
          ...(page.next === null ? { lastCompletedAt: clock.now() } : {}),
        };
        await putKv(db.kysely, key, s, clock.now());
        if (!(await takeLease(db.kysely, leaseKey(provider), holder, clock.now(), LEASE_MS)))
          throw new AppError('BOUNCER_ERR_CONFLICT', `the pull of ${provider} was taken over`);
      }
    } catch (err) {
      const message = String((err as Error)?.message ?? err).slice(0, 500);
      await putKv(
        db.kysely,
        key,
        {
          ...s,
          lastError: message,
          // At least a minute; longer when the provider asked (Retry-After, rate-limit reset).
          retryAt:
            clock.now() +
            Math.max(
              RETRY_AFTER_FAILURE_MS,
              err instanceof PullError ? (err.retryAfterMs ?? 0) : 0,
            ),
        },
        clock.now(),
      );
      throw err;
    }
    return report;
  }

  /**
   * An address with a push to this provider still queued (an operator's lift not yet applied
   * there, say) would otherwise come straight back: Bouncer's pending change wins.
   */
  private async withoutPendingPush(
    p: SyncProvider,
    entries: PulledEntry[],
  ): Promise<PulledEntry[]> {
    if (entries.length === 0) return entries;
    const target = syncTargetId(p);
    const keys = entries.map((e) => `${target}|email:${e.address.trim().toLowerCase()}`);
    const pending = await pendingOrderKeys(this.deps.db.kysely, target, keys);
    // Bouncer is the source of truth: an address it already suppresses stays as Bouncer has it
    // (a pushed entry coming back, perhaps under the provider's coarser reason, changes nothing).
    const now = this.deps.clock.now();
    const rows = await findByKeys(
      this.deps.db.kysely,
      this.deps.db.caps,
      entries.map((e) => ({
        channel: 'email',
        address: e.address.trim().toLowerCase(),
        scope: '*',
      })),
      false,
    );
    for (const [i, e] of entries.entries()) {
      const row = rows.get(
        suppressionKeyString({
          channel: 'email',
          address: e.address.trim().toLowerCase(),
          scope: '*',
        }),
      );
      if (
        row &&
        isActive({ expiresAt: row.expires_at === null ? null : Number(row.expires_at) }, now)
      )
        pending.add(keys[i]!);
    }
    return entries.filter((_, i) => !pending.has(keys[i]!));
  }

  private async importEntries(p: SyncProvider, entries: PulledEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const source = `sync:${p}`;
    const ndjson = entries
      .map((e) =>
        JSON.stringify({
          address: e.address,
          reason: e.reason,
          scope: '*',
          source,
          since: e.at || undefined,
        }),
      )
      .join('\n');
    const run = this.deps.imports.run(
      (async function* () {
        yield ndjson;
      })(),
      { format: 'ndjson', defaults: { source }, actor: source },
    );
    for await (const _ of run.results);
    return run.summary.imported + run.summary.updated;
  }
}
