import type { Config } from '../../config.js';
import { normaliseAddress, type Channel } from '../../core/address.js';
import { keyedAddress } from '../../core/address-hash.js';
import type { Clock } from '../../core/clock.js';
import { AppError, validationError } from '../../core/errors.js';
import type { Db } from '../../storage/database.js';
import { newId } from '../../storage/ids.js';
import { insertAudit } from '../../storage/repositories/audit.repository.js';
import {
  deleteDeliveries,
  deleteSubjectEvents,
  deliveriesMentioning,
  hashSubjectAudit,
  hashSubjectSuppressions,
  scrubEventMentions,
} from '../../storage/repositories/erasure.repository.js';
import { markSuppressionsChanged } from '../../storage/repositories/suppression-changes.repository.js';

export interface ErasureReport {
  channel: Channel;
  /** What the address is kept as: the suppression check matches it, nobody can read it back. */
  keyed: string;
  suppressions: number;
  events: number;
  deliveries: number;
  scrubbedEvents: number;
  auditEntries: number;
}

/**
 * Erasure that keeps the suppression (GDPR art. 17(3) and recital 47: not mailing someone who
 * asked not to be mailed is a legitimate interest that needs only the fact, not the address).
 * One transaction: events and raw deliveries naming the address go, suppressions and audit
 * entries keep the keyed hash only, and one audit entry without the address records it.
 */
export class ErasureService {
  constructor(private readonly deps: { db: Db; clock: Clock; config: Readonly<Config> }) {}

  async erase(input: string, actor: string): Promise<ErasureReport> {
    const pepper = this.deps.config.privacy.pepper;
    if (pepper === null)
      throw new AppError(
        'BOUNCER_ERR_CONFLICT',
        'erasure needs BOUNCER_ADDRESS_PEPPER (the key of the hash the suppression keeps)',
      );
    const n = normaliseAddress(input, this.deps.config.defaultPhoneRegion);
    if (!n.ok) throw validationError('address', n.error);
    const { channel, address } = n;
    const keyed = keyedAddress(pepper, channel, address);
    const now = this.deps.clock.now();
    return this.deps.db.kysely.transaction().execute(async (trx) => {
      const plainEvents = await deleteSubjectEvents(trx, channel, address);
      // Hashed mode (or a partial `privacy migrate`) stored them under the keyed hash.
      const keyedEvents = await deleteSubjectEvents(trx, channel, keyed);
      const events = {
        events: plainEvents.events + keyedEvents.events,
        deliveryIds: [...plainEvents.deliveryIds, ...keyedEvents.deliveryIds],
      };
      const mentioned = await deliveriesMentioning(trx, address);
      const deliveries = await deleteDeliveries(trx, [
        ...new Set([...events.deliveryIds, ...mentioned]),
      ]);
      const scrubbedEvents = await scrubEventMentions(trx, address);
      const suppressions = await hashSubjectSuppressions(trx, channel, address, keyed, now);
      const auditEntries = await hashSubjectAudit(trx, address, keyed);
      const report = {
        channel,
        keyed,
        suppressions,
        events: events.events,
        deliveries,
        scrubbedEvents,
        auditEntries,
      };
      await insertAudit(trx, {
        id: newId(now),
        at: now,
        actor,
        action: 'erase',
        channel,
        address: keyed,
        scope: null,
        before: null,
        after: JSON.stringify({ ...report, keyed: undefined }),
        note: 'subject erased; suppressions kept as a keyed hash',
      });
      await markSuppressionsChanged(trx, { deleted: true });
      return report;
    });
  }
}
