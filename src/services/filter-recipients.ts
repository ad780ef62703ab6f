import { normaliseAddress } from '../core/address.js';
import type { Clock } from '../core/clock.js';
import type { RecipientChecker, Purpose } from './check-recipients.js';
import type { SuppressionIndex } from './suppression-index.js';

export type FilterDecision =
  | { status: 'allowed' }
  | { status: 'suppressed'; reason: string; scope: string }
  | { status: 'invalid'; error: string };

const ALLOWED: FilterDecision = { status: 'allowed' };

export interface FilterCriteria {
  /** Unsubscribe group honoured besides global suppressions (`*` or absent = global only). */
  scope?: string | null | undefined;
  purpose?: Purpose | undefined;
}

/**
 * The decisions of `/v1/check` for lists of any length: the same normalisation, scope, purpose,
 * allowlist and choice of the blocking suppression (RecipientChecker.blocking), but the active
 * rows come from the in-memory SuppressionIndex instead of a query per chunk.
 */
export class RecipientFilter {
  constructor(private readonly deps: { checker: RecipientChecker; index: SuppressionIndex; clock: Clock; defaultPhoneRegion: string }) {}

  /** Build or refresh the index now (startup warm-up; otherwise the first filter does it). */
  async warm(): Promise<void> {
    await this.deps.index.ensureFresh();
  }

  /** One decision per input, in order. `null` inputs (no recipient in the row) come back invalid. */
  async decide(inputs: ReadonlyArray<string | null>, criteria: FilterCriteria): Promise<FilterDecision[]> {
    await this.deps.index.ensureFresh();
    const purpose = criteria.purpose ?? 'marketing';
    const scope = criteria.scope && criteria.scope !== '*' ? criteria.scope : null;
    const now = this.deps.clock.now();
    const region = this.deps.defaultPhoneRegion;
    const { index, checker } = this.deps;
    const out: FilterDecision[] = new Array<FilterDecision>(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i];
      if (input === null || input === undefined) {
        out[i] = { status: 'invalid', error: 'no recipient' };
        continue;
      }
      const n = normaliseAddress(input, region);
      if (!n.ok) {
        out[i] = { status: 'invalid', error: n.error };
        continue;
      }
      const rows = index.lookup(n.channel, n.address, scope, now);
      const row = rows === null ? null : checker.blocking(n.channel, n.address, rows, purpose);
      out[i] = row ? { status: 'suppressed', reason: row.reason, scope: row.scope } : ALLOWED;
    }
    return out;
  }
}
