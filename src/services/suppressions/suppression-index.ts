import type { Channel } from '../../core/address.js';
import {
  ADDRESS_HASH,
  hashAddress,
  isKeyedAddress,
  keyedAddress,
} from '../../core/address-hash.js';
import type { Clock } from '../../core/clock.js';
import { REASONS, type Reason } from '../../core/events.js';
import type { Logger } from 'pino';
import type { Db } from '../../storage/database.js';
import {
  activeRows,
  changedSince,
  countAll,
  type IndexRow,
} from '../../storage/repositories/suppression.repository.js';
import {
  readSuppressionVersion,
  type SuppressionVersion,
} from '../../storage/repositories/suppression-changes.repository.js';

/** One suppression row as the index knows it. */
export interface IndexedSuppression {
  reason: Reason;
  scope: string;
  /** Epoch ms; null = permanent. */
  expiresAt: number | null;
}

/** A row in force with what the single-address status shows of it. */
export interface IndexedEntry extends IndexedSuppression {
  source: string;
  /** first_event_at, epoch ms. */
  since: number;
}

/** Rows per query while (re)building: each page blocks the event loop for a few ms, then yields. */
const LOAD_PAGE_ROWS = 2_000;
/** Rows re-read before the newest `updated_at` seen, for writers whose clocks lag or whose
 *  transactions committed late. */
const CATCH_UP_SLACK_MS = 60_000;
/** Above this many changed rows a full rebuild is cheaper than replaying them. */
const CATCH_UP_MAX_ROWS = 200_000;
const EMPTY = 0;

/**
 * Open addressing with linear probing; one slot per (channel, address, scope) row. A slot's two
 * hash words and its metadata sit together (stride 4) so a probe touches one cache line; the
 * expiry is read only on a hash match.
 */
class Table {
  /** [hash a, hash b, meta, source id] per slot; meta = (scope id << 5) | (reason index + 1), 0 = empty. */
  readonly slots: Int32Array;
  /** Epoch ms; Infinity = permanent. */
  readonly expires: Float64Array;
  /** first_event_at, epoch ms. */
  readonly since: Float64Array;
  readonly mask: number;
  /**
   * Eight bits per slot, one set per row from its second hash word: a lookup whose bit is clear
   * is a miss without touching the slots. Most recipients of a list are not suppressed, and this
   * bitmap (2 MB per million rows) stays in cache where the slots (64 MB) do not.
   * Bits are only ever set, so a stale bit costs a probe, never a wrong answer.
   */
  readonly bits: Int32Array;
  readonly bitMask: number;
  size = 0;

  constructor(capacity: number) {
    let cap = 1024;
    while (cap < capacity * 2) cap *= 2;
    this.slots = new Int32Array(cap * 4);
    this.expires = new Float64Array(cap);
    this.since = new Float64Array(cap);
    this.mask = cap - 1;
    this.bits = new Int32Array(cap / 4);
    this.bitMask = cap * 8 - 1;
  }

  /** False when no row has this second hash word's bit: certainly absent. */
  mayHold(b: number): boolean {
    const bit = b & this.bitMask;
    return (this.bits[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }

  get full(): boolean {
    return this.size * 10 > (this.mask + 1) * 6;
  }

  /** Insert or overwrite the slot of (hash, scope). */
  put(
    a: number,
    b: number,
    scopeId: number,
    reasonIx: number,
    expires: number,
    sourceId: number,
    since: number,
  ): void {
    const s = this.slots;
    let i = a & this.mask;
    for (;;) {
      const m = s[i * 4 + 2]!;
      if (m === EMPTY) {
        this.size++;
        break;
      }
      if (s[i * 4] === a && s[i * 4 + 1] === b && m >>> 5 === scopeId) break;
      i = (i + 1) & this.mask;
    }
    s[i * 4] = a;
    s[i * 4 + 1] = b;
    const bit = b & this.bitMask;
    this.bits[bit >>> 5] = this.bits[bit >>> 5]! | (1 << (bit & 31));
    s[i * 4 + 2] = (scopeId << 5) | (reasonIx + 1);
    s[i * 4 + 3] = sourceId;
    this.expires[i] = expires;
    this.since[i] = since;
  }

  copyInto(other: Table): void {
    const s = this.slots;
    for (let i = 0; i <= this.mask; i++) {
      const m = s[i * 4 + 2]!;
      if (m !== EMPTY)
        other.put(
          s[i * 4]!,
          s[i * 4 + 1]!,
          m >>> 5,
          (m & 31) - 1,
          this.expires[i]!,
          s[i * 4 + 3]!,
          this.since[i]!,
        );
    }
  }
}

/**
 * A compact in-memory index of the suppression list (about 69 bytes per row), so that a filter
 * over millions of recipients never waits on one query per chunk, and a single-address lookup
 * reads no table (GET /v1/suppressions/:address). Built lazily, it stays current
 * by reading the change counters (one primary-key read) before use: new writes are replayed from
 * `updated_at`, removals trigger a rebuild. Expiry is checked at lookup time, so cool-downs end
 * on time without any write.
 */
export class SuppressionIndex {
  private table: Table | null = null;
  private version: SuppressionVersion | null = null;
  private newestUpdate = 0;
  private readonly scopes = new Map<string, number>([['*', 0]]);
  private readonly scopeNames: string[] = ['*'];
  private readonly sources = new Map<string, number>();
  private readonly sourceNames: string[] = [];
  private refreshing: Promise<void> | null = null;
  /** The clock when the index was last brought up to date. */
  private refreshedAt = 0;

  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      logger: Logger;
      /** BOUNCER_ADDRESS_PEPPER: with it, rows kept as a keyed hash answer for the address. */
      pepper?: string | null;
    },
  ) {}

  /** Bring the index up to date with the database (shared by concurrent callers). */
  async ensureFresh(): Promise<void> {
    while (this.refreshing) await this.refreshing;
    const version = await readSuppressionVersion(this.deps.db.kysely);
    if (
      this.table &&
      this.version &&
      version.writes === this.version.writes &&
      version.deletes === this.version.deletes
    )
      return;
    if (this.refreshing) return this.ensureFresh();
    this.refreshing = this.refresh(version).finally(() => (this.refreshing = null));
    await this.refreshing;
  }

  /**
   * Whether the index can answer now: brought up to date when that takes only a catch-up (one
   * counter read, plus the rows written since the last look). When it needs a (re)build, that
   * starts in the background and this says false: the caller asks the database meanwhile, rather
   * than wait seconds for a million rows.
   */
  async current(): Promise<boolean> {
    if (!this.table || this.refreshing || !this.version) {
      if (!this.refreshing)
        this.ensureFresh().catch((err: unknown) =>
          this.deps.logger.warn({ err }, 'suppression index build failed'),
        );
      return false;
    }
    const version = await readSuppressionVersion(this.deps.db.kysely);
    if (version.writes === this.version.writes && version.deletes === this.version.deletes)
      return true;
    if (this.canCatchUp(version)) {
      await this.ensureFresh();
      return true;
    }
    this.ensureFresh().catch((err: unknown) =>
      this.deps.logger.warn({ err }, 'suppression index rebuild failed'),
    );
    return false;
  }

  /**
   * Catching up reads rows by `updated_at` from CATCH_UP_SLACK_MS before the newest one seen, so
   * it relies on clocks moving forward: rows written since the last refresh must be stamped no
   * earlier than that refresh, and that refresh no earlier than the window. A clock that went back
   * (set back by hand, or a test's), or rows stamped ahead of the last refresh by more than the
   * slack, mean a rebuild instead.
   */
  private canCatchUp(version: SuppressionVersion): boolean {
    if (this.table === null || this.version === null || version.deletes !== this.version.deletes)
      return false;
    return (
      this.deps.clock.now() >= this.refreshedAt &&
      this.refreshedAt >= this.newestUpdate - CATCH_UP_SLACK_MS
    );
  }

  private async refresh(version: SuppressionVersion): Promise<void> {
    const now = this.deps.clock.now();
    const caughtUp = this.canCatchUp(version) && (await this.catchUp());
    this.refreshedAt = now;
    if (caughtUp) {
      this.version = version;
      return;
    }
    const started = Date.now();
    const table = await this.load();
    this.table = table;
    this.version = version;
    this.deps.logger.info(
      { rows: table.size, ms: Date.now() - started },
      'suppression index built',
    );
  }

  private async load(): Promise<Table> {
    const now = this.deps.clock.now();
    // Sized for every row up front: growing a million-row table means holding two of them.
    let table = new Table(Math.max(this.table?.size ?? 0, await countAll(this.deps.db.kysely)));
    let newest = 0;
    let keyed = false;
    for await (const rows of activeRows(this.deps.db.kysely, now, LOAD_PAGE_ROWS)) {
      for (const r of rows) {
        if (table.full) table = this.grow(table);
        keyed = this.putRow(table, r) || keyed;
        newest = Math.max(newest, Number(r.updated_at));
      }
      // SQLite answers synchronously: without this, a million-row build would hold every other
      // request (webhooks, checks) for seconds.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.newestUpdate = newest;
    this.keyedRows = keyed;
    return table;
  }

  /** Replay rows written since the last look; false when a rebuild is the better choice. */
  private async catchUp(): Promise<boolean> {
    const rows = await changedSince(
      this.deps.db.kysely,
      this.newestUpdate - CATCH_UP_SLACK_MS,
      CATCH_UP_MAX_ROWS + 1,
    );
    if (rows.length > CATCH_UP_MAX_ROWS) return false;
    let table = this.table!;
    for (const r of rows) {
      if (table.full) table = this.grow(table);
      if (this.putRow(table, r)) this.keyedRows = true;
      this.newestUpdate = Math.max(this.newestUpdate, Number(r.updated_at));
    }
    this.table = table;
    return true;
  }

  private grow(table: Table): Table {
    const bigger = new Table(table.size * 2);
    table.copyInto(bigger);
    return bigger;
  }

  /**
   * Whether any indexed row is kept as a keyed hash (erased subjects, hashed mode): lookups then
   * also probe the address's keyed form. Rows are indexed under the stored text either way.
   */
  private keyedRows = false;

  get hasKeyedRows(): boolean {
    return this.keyedRows && (this.deps.pepper ?? null) !== null;
  }

  /** Index one row; true when it is stored under a keyed hash. */
  private putRow(table: Table, r: IndexRow): boolean {
    const reasonIx = REASONS.indexOf(r.reason as Reason);
    if (reasonIx === -1) return false;
    let scopeId = this.scopes.get(r.scope);
    if (scopeId === undefined) {
      scopeId = this.scopeNames.length;
      this.scopes.set(r.scope, scopeId);
      this.scopeNames.push(r.scope);
    }
    let sourceId = this.sources.get(r.source);
    if (sourceId === undefined) {
      sourceId = this.sourceNames.length;
      this.sources.set(r.source, sourceId);
      this.sourceNames.push(r.source);
    }
    hashAddress(r.channel as Channel, r.address);
    table.put(
      ADDRESS_HASH[0]!,
      ADDRESS_HASH[1]!,
      scopeId,
      reasonIx,
      r.expires_at === null ? Infinity : Number(r.expires_at),
      sourceId,
      Number(r.first_event_at),
    );
    return isKeyedAddress(r.address);
  }

  /** Whether the index has been built (ensureFresh() then only catches up). */
  get built(): boolean {
    return this.table !== null;
  }

  /**
   * Every suppression in force at `now` for this normalised address, in any scope, ordered by
   * scope (what listForAddress returns, filtered to the active rows). Call ensureFresh() first.
   */
  entries(channel: Channel, address: string, now: number): IndexedEntry[] {
    const plain = this.entriesOf(channel, address, now);
    if (!this.hasKeyedRows) return plain;
    const keyed = this.entriesOf(channel, keyedAddress(this.deps.pepper!, channel, address), now);
    return keyed.length === 0
      ? plain
      : [...plain, ...keyed].sort((x, y) => (x.scope < y.scope ? -1 : x.scope > y.scope ? 1 : 0));
  }

  private entriesOf(channel: Channel, address: string, now: number): IndexedEntry[] {
    const t = this.table;
    if (!t) throw new Error('suppression index used before ensureFresh()');
    hashAddress(channel, address);
    const hashA = ADDRESS_HASH[0]!;
    const hashB = ADDRESS_HASH[1]!;
    const out: IndexedEntry[] = [];
    if (!t.mayHold(hashB)) return out;
    const slots = t.slots;
    for (let i = hashA & t.mask; ; i = (i + 1) & t.mask) {
      const m = slots[i * 4 + 2]!;
      if (m === EMPTY) break;
      if (slots[i * 4] !== hashA || slots[i * 4 + 1] !== hashB || t.expires[i]! <= now) continue;
      const e = t.expires[i]!;
      out.push({
        reason: REASONS[(m & 31) - 1]!,
        scope: this.scopeNames[m >>> 5]!,
        expiresAt: e === Infinity ? null : e,
        source: this.sourceNames[slots[i * 4 + 3]!]!,
        since: t.since[i]!,
      });
    }
    return out.sort((x, y) => (x.scope < y.scope ? -1 : x.scope > y.scope ? 1 : 0));
  }

  /** Number of rows indexed (for logs and benchmarks). */
  get size(): number {
    return this.table?.size ?? 0;
  }

  /**
   * The suppressions in force at `now` for this normalised address, global or in `scope`
   * (the same rows `findActive` returns); null when there are none. Call ensureFresh() first.
   */
  lookup(
    channel: Channel,
    address: string,
    scope: string | null,
    now: number,
  ): IndexedSuppression[] | null {
    hashAddress(channel, address);
    const plain = this.lookupHashed(ADDRESS_HASH[0]!, ADDRESS_HASH[1]!, scope, now);
    if (!this.hasKeyedRows) return plain;
    hashAddress(channel, keyedAddress(this.deps.pepper!, channel, address));
    const keyed = this.lookupHashed(ADDRESS_HASH[0]!, ADDRESS_HASH[1]!, scope, now);
    return keyed === null ? plain : [...(plain ?? []), ...keyed];
  }

  /**
   * False when no row can have this second hash word: a miss decided from a small bitmap,
   * without touching the table. Call ensureFresh() first.
   */
  mayHold(hashB: number): boolean {
    const t = this.table;
    if (!t) throw new Error('suppression index used before ensureFresh()');
    return t.mayHold(hashB);
  }

  /** lookup() for an address already hashed with hashAddress or hashEmailBytes. */
  lookupHashed(
    hashA: number,
    hashB: number,
    scope: string | null,
    now: number,
  ): IndexedSuppression[] | null {
    const t = this.table;
    if (!t) throw new Error('suppression index used before ensureFresh()');
    if (!t.mayHold(hashB)) return null;
    const scopeId = scope === null ? 0 : (this.scopes.get(scope) ?? 0);
    let out: IndexedSuppression[] | null = null;
    const slots = t.slots;
    for (let i = hashA & t.mask; ; i = (i + 1) & t.mask) {
      const m = slots[i * 4 + 2]!;
      if (m === EMPTY) return out;
      if (slots[i * 4] !== hashA || slots[i * 4 + 1] !== hashB) continue;
      const s = m >>> 5;
      if ((s !== 0 && s !== scopeId) || t.expires[i]! <= now) continue;
      const e = t.expires[i]!;
      (out ??= []).push({
        reason: REASONS[(m & 31) - 1]!,
        scope: this.scopeNames[s]!,
        expiresAt: e === Infinity ? null : e,
      });
    }
  }
}
