import type { Config } from '../../config.js';
import type { Channel } from '../../core/address.js';
import { keyedAddress } from '../../core/address-hash.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { redactAddress } from '../../core/privacy.js';
import type { Db, DbExecutor } from '../../storage/database.js';
import {
  deleteSuppressionById,
  eventsOf,
  hashAudit,
  plainAddresses,
  redactDeliveries,
  rehashSuppression,
  rewriteEvent,
  unredactedDeliveryIds,
} from '../../storage/repositories/privacy.repository.js';
import { markSuppressionsChanged } from '../../storage/repositories/suppression-changes.repository.js';
import { listForAddress } from '../../storage/repositories/suppression.repository.js';

/** Addresses converted per transaction: short transactions, the service keeps answering. */
const ADDRESSES_PER_BATCH = 200;
const DELIVERIES_PER_BATCH = 1_000;

export interface PrivacyMigrationReport {
  addresses: number;
  deliveries: number;
}

/**
 * `bouncer privacy migrate`: bring rows written before BOUNCER_PRIVACY_MODE=hashed to the hashed
 * form: suppressions, events and audit entries under the keyed hash (texts naming the address
 * redacted), applied raw deliveries emptied. Idempotent: a second run finds nothing to do.
 */
export class PrivacyMigrationService {
  constructor(private readonly deps: { db: Db; clock: Clock; config: Readonly<Config> }) {}

  async migrate(): Promise<PrivacyMigrationReport> {
    const { mode, pepper } = this.deps.config.privacy;
    if (mode !== 'hashed' || pepper === null)
      throw new AppError(
        'BOUNCER_ERR_CONFLICT',
        'set BOUNCER_PRIVACY_MODE=hashed and BOUNCER_ADDRESS_PEPPER before migrating',
      );
    const report = { addresses: 0, deliveries: 0 };
    const { kysely } = this.deps.db;
    for (;;) {
      const batch = await plainAddresses(kysely, ADDRESSES_PER_BATCH);
      if (batch.length === 0) break;
      await kysely.transaction().execute(async (trx) => {
        for (const a of batch) await this.convert(trx, pepper, a.channel as Channel, a.address);
        await markSuppressionsChanged(trx, { deleted: true });
      });
      report.addresses += batch.length;
    }
    for (;;) {
      const ids = await unredactedDeliveryIds(kysely, DELIVERIES_PER_BATCH);
      if (ids.length === 0) break;
      await redactDeliveries(kysely, ids);
      report.deliveries += ids.length;
    }
    return report;
  }

  private async convert(
    trx: DbExecutor,
    pepper: string,
    channel: Channel,
    address: string,
  ): Promise<void> {
    const keyed = keyedAddress(pepper, channel, address);
    const now = this.deps.clock.now();
    const hashedScopes = new Set((await listForAddress(trx, channel, keyed)).map((r) => r.scope));
    for (const r of await listForAddress(trx, channel, address)) {
      if (hashedScopes.has(r.scope)) await deleteSuppressionById(trx, r.id);
      else await rehashSuppression(trx, r.id, keyed, redactAddress(r.metadata, address), now);
    }
    for (const e of await eventsOf(trx, channel, address))
      await rewriteEvent(trx, e.id, {
        address: keyed,
        diagnostic: e.diagnostic === null ? null : redactAddress(e.diagnostic, address),
        details: redactAddress(e.details, address),
      });
    await hashAudit(trx, address, keyed);
  }
}
