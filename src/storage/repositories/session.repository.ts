import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Database, DashboardSessionRow, DashboardSessionsTable } from '../schema.js';

type Q = Kysely<Database> | Transaction<Database>;

export async function insertSession(q: Q, row: Insertable<DashboardSessionsTable>): Promise<void> {
  await q.insertInto('dashboard_sessions').values(row).execute();
}

/**
 * An unexpired session whose API key is still active: revoking a key ends its dashboard
 * sessions too (the bootstrap key `env` has no row and lives as long as the setting).
 */
export async function findLiveSession(
  q: Q,
  idHash: string,
  now: number,
): Promise<DashboardSessionRow | undefined> {
  const row = await q
    .selectFrom('dashboard_sessions as s')
    .leftJoin('api_keys as k', 'k.id', 's.key_id')
    .selectAll('s')
    .select(['k.revoked_at', 'k.id as found_key'])
    .where('s.id_hash', '=', idHash)
    .where('s.expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.key_id !== 'env' && (row.found_key === null || row.revoked_at !== null)) return undefined;
  const { revoked_at: _r, found_key: _f, ...session } = row;
  return session;
}

export async function deleteSession(q: Q, idHash: string): Promise<void> {
  await q.deleteFrom('dashboard_sessions').where('id_hash', '=', idHash).execute();
}

export async function pruneSessions(q: Q, now: number): Promise<number> {
  const res = await q
    .deleteFrom('dashboard_sessions')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
