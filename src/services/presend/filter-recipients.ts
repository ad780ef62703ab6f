import { isSimpleEmailBytes, normaliseAddress } from '../../core/address.js';
import { ADDRESS_HASH, hashEmailBytes } from '../../core/address-hash.js';
import type { Clock } from '../../core/clock.js';
import type { RecipientChecker, Purpose } from './check-recipients.js';
import type { IndexedSuppression, SuppressionIndex } from '../suppressions/suppression-index.js';

export type FilterDecision =
  | { status: 'allowed' }
  | { status: 'suppressed'; reason: string; scope: string }
  | { status: 'invalid'; error: string };

const ALLOWED: FilterDecision = { status: 'allowed' };

export interface FilterSummary {
  total: number;
  allowed: number;
  suppressed: number;
  invalid: number;
  by_reason: Record<string, number>;
}

export const emptySummary = (): FilterSummary => ({
  total: 0,
  allowed: 0,
  suppressed: 0,
  invalid: 0,
  by_reason: {},
});

export function countDecision(summary: FilterSummary, d: FilterDecision): void {
  summary.total++;
  if (d.status === 'allowed') summary.allowed++;
  else if (d.status === 'suppressed') {
    summary.suppressed++;
    summary.by_reason[d.reason] = (summary.by_reason[d.reason] ?? 0) + 1;
  } else summary.invalid++;
}

export interface FilterCriteria {
  /** Unsubscribe group honoured besides global suppressions (`*` or absent = global only). */
  scope?: string | null | undefined;
  purpose?: Purpose | undefined;
}

/** Criteria resolved for a run of decisions, with the time they are taken at. */
export interface DecisionContext {
  scope: string | null;
  purpose: Purpose;
  now: number;
}

/**
 * The decisions of `/v1/check` for lists of any length: the same normalisation, scope, purpose,
 * allowlist and choice of the blocking suppression (RecipientChecker.blocking), but the active
 * rows come from the in-memory SuppressionIndex instead of a query per chunk.
 */
export class RecipientFilter {
  constructor(
    private readonly deps: {
      checker: RecipientChecker;
      index: SuppressionIndex;
      clock: Clock;
      defaultPhoneRegion: string;
    },
  ) {}

  /** Build or refresh the index now (startup warm-up; otherwise the first filter does it). */
  async warm(): Promise<void> {
    await this.deps.index.ensureFresh();
  }

  /**
   * Bring the index up to date and fix the criteria and the time for the decisions that follow
   * (decideOne, decideEmailBytes): they see every write committed before this call.
   */
  async prepare(criteria: FilterCriteria): Promise<DecisionContext> {
    await this.deps.index.ensureFresh();
    return {
      scope: criteria.scope && criteria.scope !== '*' ? criteria.scope : null,
      purpose: criteria.purpose ?? 'marketing',
      now: this.deps.clock.now(),
    };
  }

  /** The decision for one recipient as given (any form normaliseAddress reads). Call prepare() first. */
  decideOne(input: string | null | undefined, ctx: DecisionContext): FilterDecision {
    if (input === null || input === undefined) return { status: 'invalid', error: 'no recipient' };
    const n = normaliseAddress(input, this.deps.defaultPhoneRegion);
    if (!n.ok) return { status: 'invalid', error: n.error };
    return this.verdict(
      n.channel,
      n.address,
      this.deps.index.lookup(n.channel, n.address, ctx.scope, ctx.now),
      ctx,
    );
  }

  /**
   * decideOne for recipients given as raw byte ranges of the rows they came in (bytes[starts[i],
   * ends[i]) for i < count), without decoding them, where those bytes are a simple email address
   * (isSimpleEmailBytes). out[i] is the decision, or null for a recipient that is not simple: the
   * caller decodes it and takes decideOne. Works in passes over the batch (validate and hash,
   * then the index's bitmap, then the few hits) so that the memory reads of many lookups overlap
   * instead of each waiting on its own cache miss.
   */
  decideEmailBytes(
    bytes: Uint8Array,
    starts: Int32Array,
    ends: Int32Array,
    count: number,
    ctx: DecisionContext,
    out: Array<FilterDecision | null>,
  ): void {
    const { index, checker } = this.deps;
    if (index.hasKeyedRows) {
      // Rows kept as a keyed hash need the address text (an HMAC of it): the decoded path.
      for (let i = 0; i < count; i++) out[i] = null;
      return;
    }
    const hashA = (this.hashA = grow(this.hashA, count));
    const hashB = (this.hashB = grow(this.hashB, count));
    const simple = (this.simple = grow(this.simple, count));
    for (let i = 0; i < count; i++) {
      if (!isSimpleEmailBytes(bytes, starts[i]!, ends[i]!)) {
        simple[i] = 0;
        continue;
      }
      simple[i] = 1;
      hashEmailBytes(bytes, starts[i]!, ends[i]!);
      hashA[i] = ADDRESS_HASH[0]!;
      hashB[i] = ADDRESS_HASH[1]!;
    }
    for (let i = 0; i < count; i++) if (simple[i] === 1 && index.mayHold(hashB[i]!)) simple[i] = 2;
    for (let i = 0; i < count; i++) {
      const state = simple[i];
      if (state === 0) out[i] = null;
      else if (state === 1) out[i] = ALLOWED;
      else {
        const rows = index.lookupHashed(hashA[i]!, hashB[i]!, ctx.scope, ctx.now);
        if (rows === null) out[i] = ALLOWED;
        // A hit (the minority). The address text is needed only to consult an allowlist.
        else if (!checker.hasAllowlist) out[i] = decision(checker.pick(rows, ctx.purpose));
        else
          out[i] = this.verdict(
            'email',
            Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
              .toString('latin1', starts[i], ends[i])
              .toLowerCase(),
            rows,
            ctx,
          );
      }
    }
  }

  private hashA = new Int32Array(0);
  private hashB = new Int32Array(0);
  private simple = new Uint8Array(0);

  private verdict(
    channel: 'email' | 'sms',
    address: string,
    rows: IndexedSuppression[] | null,
    ctx: DecisionContext,
  ): FilterDecision {
    return decision(
      rows === null ? null : this.deps.checker.blocking(channel, address, rows, ctx.purpose),
    );
  }
}

const decision = (row: IndexedSuppression | null): FilterDecision =>
  row ? { status: 'suppressed', reason: row.reason, scope: row.scope } : ALLOWED;

/** `a` if it holds `n` items, else a larger array of its kind (scratch space reused across batches). */
function grow<T extends Int32Array | Uint8Array>(a: T, n: number): T {
  if (a.length >= n) return a;
  const Ctor = a.constructor as new (n: number) => T;
  return new Ctor(Math.max(n, a.length * 2, 1024));
}
