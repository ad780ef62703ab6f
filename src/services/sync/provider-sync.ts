import type { SyncConfig } from '../../config-sync.js';
import type { ChangeEvent } from '../../core/change-events.js';
import type { Reason } from '../../core/events.js';
import type { PushResult } from './provider-result.js';
import type { SyncProvider } from './push-rules.js';

/** One entry of a provider's list, as Bouncer imports it. */
export interface PulledEntry {
  address: string;
  reason: Reason;
  /** Epoch ms the provider recorded it (0: unknown). */
  at: number;
}

/** A page and where the next one starts (null: the list is done up to now). */
export interface PulledPage<C> {
  entries: PulledEntry[];
  next: C | null;
}

/** Entries asked for per page, where the provider lets one choose. */
export const PULL_PAGE_SIZE = 500;

/**
 * Reading a provider's list: `first(since)` is the cursor of a pass that reads what changed since
 * `since` (epoch ms; 0 for the whole list), `page` reads one page. The cursor is JSON, kept in
 * `kv` after every page, so a pass killed half-way resumes at the page it was reading.
 */
export interface ProviderPull<C = unknown> {
  first(since: number): C;
  /** `now`: the service clock's time (rate-limit resets and date filters are reckoned from it). */
  page(cursor: C, now: number): Promise<PulledPage<C>>;
}

/** What Bouncer does with one provider: push changes to its list, and (for most) pull it back. */
export interface ProviderSync {
  push(e: ChangeEvent, now: number): Promise<PushResult>;
  pull: ProviderPull | null;
}

export type ProviderSyncFactory<P extends SyncProvider> = (
  cfg: NonNullable<SyncConfig[P]>,
) => ProviderSync;

/**
 * A page that could not be read, with the provider's answer as a push would record it: the
 * status, and how long the provider asked to be left alone (Retry-After, a rate-limit reset), which
 * the sync service waits before it resumes the pass.
 */
export class PullError extends Error {
  readonly status: number | null;
  readonly retryAfterMs: number | null;
  constructor(
    f: { status: number | null; error: string | null; retryAfterMs: number | null },
    fallback: string,
  ) {
    super(f.error ?? fallback);
    this.status = f.status;
    this.retryAfterMs = f.retryAfterMs;
  }
}
