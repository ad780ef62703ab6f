import type { Insertable, Kysely, Transaction } from 'kysely';
import type { AuditLogTable, AuditRow, Database } from '../schema.js';

type Q = Kysely<Database> | Transaction<Database>;

export async function insertAudit(q: Q, row: Insertable<AuditLogTable>): Promise<void> {
  await q.insertInto('audit_log').values(row).execute();
}

/** Insert, or bring an entry written earlier up to date (an import's running counts). */
export async function upsertAudit(q: Q, row: Insertable<AuditLogTable>): Promise<void> {
  await q
    .insertInto('audit_log')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ after: row.after, note: row.note }))
    .execute();
}

export async function listAudit(
  q: Q,
  filters: { address?: string | undefined },
  limit: number,
  beforeId: string | null,
): Promise<AuditRow[]> {
  let query = q.selectFrom('audit_log').selectAll();
  if (filters.address) query = query.where('address', '=', filters.address);
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.orderBy('id', 'desc').limit(limit).execute();
}
