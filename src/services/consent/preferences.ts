import type { Config } from '../../config.js';
import { keyedAddress } from '../../core/address-hash.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { GLOBAL_SCOPE } from '../../core/events.js';
import {
  formNonce,
  verifyFormNonce,
  verifyUnsubscribeToken,
  type UnsubscribeClaims,
} from '../../core/unsubscribe-token.js';
import type { Logger } from 'pino';
import type { Db } from '../../storage/database.js';
import { newId } from '../../storage/ids.js';
import { insertAudit } from '../../storage/repositories/audit.repository.js';
import { markSuppressionsChanged } from '../../storage/repositories/suppression-changes.repository.js';
import { deleteByKey, listForAddress } from '../../storage/repositories/suppression.repository.js';
import { listGroups } from '../../storage/repositories/unsubscribe-group.repository.js';
import type { SuppressionRow } from '../../storage/schema.js';

/** The source the one-click and preference routes record (the unsubscribe adapter's name). */
export const UNSUBSCRIBE_SOURCE = 'unsubscribe';

export interface PreferenceState {
  claims: UnsubscribeClaims;
  /** Bound to the token: every form on the page carries it. */
  nonce: string;
  everything: boolean;
  groups: Array<{ id: string; name: string; description: string; unsubscribed: boolean }>;
}

/** What a recipient's link shows and lets them undo. The token itself authorises. */
export class PreferenceService {
  constructor(
    private readonly deps: { db: Db; clock: Clock; config: Readonly<Config>; logger: Logger },
  ) {}

  /** The token's claims, or the uniform 401 (the reason only logged). */
  verify(token: string): UnsubscribeClaims {
    const check = verifyUnsubscribeToken(this.deps.config.unsubscribe.secrets, token);
    if (check.ok) return check.claims;
    this.deps.logger.warn({ reason: check.reason }, 'unsubscribe token refused');
    throw new AppError('BOUNCER_ERR_UNAUTHORIZED');
  }

  async state(token: string): Promise<PreferenceState> {
    const claims = this.verify(token);
    const rows = await this.rowsOf(claims);
    const unsubscribed = new Set(
      rows.filter((r) => r.reason === 'unsubscribe').map((r) => r.scope),
    );
    const groups = (await listGroups(this.deps.db.kysely)).map((g) => ({
      id: g.id,
      name: g.name,
      description: g.description,
      unsubscribed: unsubscribed.has(g.id),
    }));
    return {
      claims,
      nonce: formNonce(this.deps.config.unsubscribe.secrets[0] ?? '', token),
      everything: unsubscribed.has(GLOBAL_SCOPE),
      groups,
    };
  }

  /**
   * Rejoin a group (or everything): lifts only an unsubscribe this route recorded in that scope.
   * A bounce, a complaint or an operator's suppression stays (the recipient cannot undo those).
   */
  async rejoin(token: string, nonce: string, scope: string): Promise<{ lifted: boolean }> {
    const claims = this.verify(token);
    if (!verifyFormNonce(this.deps.config.unsubscribe.secrets, token, nonce)) {
      this.deps.logger.warn('preference form nonce refused');
      throw new AppError('BOUNCER_ERR_UNAUTHORIZED');
    }
    const now = this.deps.clock.now();
    return this.deps.db.kysely.transaction().execute(async (trx) => {
      const rows = (await this.rowsOf(claims, trx)).filter(
        (r) => r.scope === scope && r.reason === 'unsubscribe' && r.source === UNSUBSCRIBE_SOURCE,
      );
      for (const r of rows) {
        await deleteByKey(trx, r);
        await insertAudit(trx, {
          id: newId(now),
          at: now,
          actor: 'recipient',
          action: 'rejoin',
          channel: r.channel,
          address: r.address,
          scope: r.scope,
          before: JSON.stringify({ reason: r.reason, source: r.source }),
          after: null,
          note: 'rejoined from the preference page',
        });
      }
      if (rows.length > 0) await markSuppressionsChanged(trx, { deleted: true });
      return { lifted: rows.length > 0 };
    });
  }

  /** Rows under the address as given and as its keyed hash (erased or hashed-mode rows). */
  private async rowsOf(
    claims: UnsubscribeClaims,
    q: Parameters<typeof listForAddress>[0] = this.deps.db.kysely,
  ): Promise<SuppressionRow[]> {
    const rows = await listForAddress(q, claims.channel, claims.address);
    const pepper = this.deps.config.privacy.pepper;
    if (pepper === null) return rows;
    return [
      ...rows,
      ...(await listForAddress(
        q,
        claims.channel,
        keyedAddress(pepper, claims.channel, claims.address),
      )),
    ];
  }
}
