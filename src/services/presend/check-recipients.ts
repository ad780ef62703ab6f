import { normaliseAddress, type Channel } from '../../core/address.js';
import { keyedAddress } from '../../core/address-hash.js';
import type { Clock } from '../../core/clock.js';
import { REASON_RANK, isAllowlisted, type PolicyConfig } from '../../core/policy.js';
import type { Reason } from '../../core/events.js';
import type { Db } from '../../storage/database.js';
import { findActive } from '../../storage/repositories/suppression.repository.js';
import type { SuppressionRow } from '../../storage/schema.js';

export const PURPOSES = ['marketing', 'transactional'] as const;
export type Purpose = (typeof PURPOSES)[number];

export interface CheckRequest {
  recipients: readonly string[];
  scope?: string | null | undefined;
  purpose?: Purpose | undefined;
}

export interface SuppressedRecipient {
  input: string;
  address: string;
  channel: Channel;
  reason: string;
  scope: string;
  source: string;
  since: number;
  until: number | null;
}

export interface CheckResult {
  allowed: Array<{ input: string; address: string; channel: Channel }>;
  suppressed: SuppressedRecipient[];
  invalid: Array<{ input: string; error: string }>;
}

/**
 * "May I send to these recipients?": normalise every input, then one indexed lookup per channel
 * and chunk (never a query per address). Results keep the input order within each list.
 */
export class RecipientChecker {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      policy: PolicyConfig;
      defaultPhoneRegion: string;
      /** BOUNCER_ADDRESS_PEPPER: rows kept as a keyed hash (erased, hashed mode) match too. */
      pepper?: string | null;
    },
  ) {}

  /** The blocking row for one address, or null: the strongest active one that applies. */
  pick<R extends { reason: string }>(
    rows: readonly R[] | null | undefined,
    purpose: Purpose,
  ): R | null {
    let best: R | null = null;
    for (const r of rows ?? []) {
      if (
        purpose === 'transactional' &&
        this.deps.policy.transactionalIgnores.includes(r.reason as Reason)
      )
        continue;
      if (
        !best ||
        (REASON_RANK[r.reason as Reason] ?? 0) > (REASON_RANK[best.reason as Reason] ?? 0)
      )
        best = r;
    }
    return best;
  }

  /** Whether any address or domain is allowlisted (else blocking() is pick() whatever the address). */
  get hasAllowlist(): boolean {
    return (
      this.deps.policy.allowlist.addresses.length > 0 ||
      this.deps.policy.allowlist.domains.length > 0
    );
  }

  /** The row that blocks sending to this normalised address, given its active rows; null = allowed. */
  blocking<R extends { reason: string }>(
    channel: Channel,
    address: string,
    rows: readonly R[] | null | undefined,
    purpose: Purpose,
  ): R | null {
    return isAllowlisted(this.deps.policy, channel, address) ? null : this.pick(rows, purpose);
  }

  async lookup(
    channel: Channel,
    addresses: readonly string[],
    scope: string | null,
  ): Promise<Map<string, SuppressionRow[]>> {
    const pepper = this.deps.pepper ?? null;
    const plainOf = new Map<string, string>();
    if (pepper !== null)
      for (const a of addresses) plainOf.set(keyedAddress(pepper, channel, a), a);
    const rows = await findActive(
      this.deps.db.kysely,
      this.deps.db.caps,
      channel,
      plainOf.size > 0 ? [...addresses, ...plainOf.keys()] : addresses,
      scope,
      this.deps.clock.now(),
    );
    const byAddress = new Map<string, SuppressionRow[]>();
    for (const r of rows) {
      const a = plainOf.get(r.address) ?? r.address;
      byAddress.set(a, [...(byAddress.get(a) ?? []), r]);
    }
    return byAddress;
  }

  async check(req: CheckRequest): Promise<CheckResult> {
    const purpose = req.purpose ?? 'marketing';
    const scope = req.scope && req.scope !== '*' ? req.scope : null;
    const result: CheckResult = { allowed: [], suppressed: [], invalid: [] };
    const valid: Array<{ input: string; address: string; channel: Channel }> = [];
    for (const input of req.recipients) {
      const n = normaliseAddress(input, this.deps.defaultPhoneRegion);
      if (n.ok) valid.push({ input, address: n.address, channel: n.channel });
      else result.invalid.push({ input, error: n.error });
    }
    const found = new Map<Channel, Map<string, SuppressionRow[]>>();
    for (const channel of ['email', 'sms'] as const) {
      const addresses = [
        ...new Set(valid.filter((v) => v.channel === channel).map((v) => v.address)),
      ];
      if (addresses.length > 0) found.set(channel, await this.lookup(channel, addresses, scope));
    }
    for (const v of valid) {
      const row = this.blocking(
        v.channel,
        v.address,
        found.get(v.channel)?.get(v.address),
        purpose,
      );
      if (!row) result.allowed.push(v);
      else {
        result.suppressed.push({
          ...v,
          reason: row.reason,
          scope: row.scope,
          source: row.source,
          since: Number(row.first_event_at),
          until: row.expires_at === null ? null : Number(row.expires_at),
        });
      }
    }
    return result;
  }
}
