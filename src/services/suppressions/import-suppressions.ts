import { normaliseAddress, type Channel } from '../../core/address.js';
import { storedAddress } from '../../core/privacy.js';
import type { Clock } from '../../core/clock.js';
import type { Reason } from '../../core/events.js';
import { awsOptOutListOr, INPUT_ERROR_KEY } from './aws-opt-out-input.js';
import {
  detectImportKind,
  importReplaces,
  importRow,
  type ImportDefaults,
  type ImportKind,
  type ImportRow,
  withPolicyExpiry,
} from '../../core/import-formats.js';
import { isActive, type PolicyConfig } from '../../core/policy.js';
import { queueChangeEvents } from '../outbound/change-outbox.js';
import { changeData } from './suppressions.js';
import {
  parseCsvRecord,
  RecordReader,
  unescapeCsvCell,
  type RawRecord,
  type RecordFormat,
} from '../../core/records.js';
import type { Db, DbTransaction } from '../../storage/database.js';
import { newId } from '../../storage/ids.js';
import { upsertAudit } from '../../storage/repositories/audit.repository.js';
import { markSuppressionsChanged } from '../../storage/repositories/suppression-changes.repository.js';
import {
  findByKeys,
  insertNew,
  suppressionKeyString,
  updateState,
} from '../../storage/repositories/suppression.repository.js';
import type { NewAuditRow, NewSuppressionRow, SuppressionRow } from '../../storage/schema.js';
import { countOf } from '../../core/plural.js';

/** Rows per transaction: one lookup of the existing rows and batched inserts/updates. */
export const IMPORT_BATCH_ROWS = 10_000;

export type ImportStatus = 'imported' | 'updated' | 'unchanged' | 'invalid';

export interface ImportLineResult {
  line: number;
  status: ImportStatus;
  error?: string;
}

export interface ImportSummary {
  total: number;
  imported: number;
  updated: number;
  unchanged: number;
  invalid: number;
  kind: ImportKind | null;
}

export interface ImportOptions {
  format: RecordFormat;
  defaults: ImportDefaults;
  /** Who imports (kept in the audit entry). */
  actor: string;
}

type Pending = { line: number; row: ImportRow; channel: Channel; address: string; key: string };

/**
 * Bulk-load suppression lists. Streams the input, never aborts on a bad row (it is reported
 * `invalid` with its line), never weakens a stronger existing suppression, and writes one audit
 * entry for the whole import with its counts.
 */
export class ImportService {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      policy: PolicyConfig;
      defaultPhoneRegion: string;
      /** BOUNCER_PRIVACY_MODE and its pepper: hashed mode imports under the keyed hash. */
      privacy?: { mode: 'plain' | 'hashed'; pepper: string | null };
      /** Called after a batch committed (wakes the outbound sender). */
      onChange?: () => void;
    },
  ) {}

  /**
   * Results per batch, in input order. `summary` is complete once the generator is done; the
   * audit entry is written then (also when the consumer stops early).
   */
  run(
    input: AsyncIterable<Uint8Array | string>,
    opts: ImportOptions,
  ): { results: AsyncGenerator<ImportLineResult[]>; summary: ImportSummary } {
    const summary: ImportSummary = {
      total: 0,
      imported: 0,
      updated: 0,
      unchanged: 0,
      invalid: 0,
      kind: null,
    };
    // One audit entry per import, written with the first chunk and brought up to date in the
    // transaction of every chunk after it: an import cut short shows how far it got.
    const auditId = newId(this.deps.clock.now());
    const results = async function* (this: ImportService): AsyncGenerator<ImportLineResult[]> {
      const source = opts.format === 'ndjson' ? await awsOptOutListOr(input) : { input };
      if (source.kind) summary.kind = source.kind;
      const reader = new RecordReader(source.input, opts.format);
      let finished = false;
      let header: string[] | null = null;
      try {
        for (;;) {
          const batch = await reader.take(IMPORT_BATCH_ROWS);
          if (batch.length === 0) {
            finished = true;
            return;
          }
          if (opts.format === 'csv' && header === null) {
            // An unreadable header leaves every row without an address: each is reported invalid.
            const h = parseCsvRecord(batch.shift()!.text);
            header = h.ok ? h.fields.map((f) => f.trim()) : [];
            summary.kind = detectImportKind(header);
          }
          const out = await this.importBatch(batch, header, opts, summary, auditId);
          for (const r of out) {
            summary.total++;
            summary[r.status]++;
          }
          yield out;
        }
      } finally {
        await upsertAudit(this.deps.db.kysely, this.auditRow(auditId, opts, summary, finished));
      }
    };
    return { results: results.call(this), summary };
  }

  private parse(
    rec: RawRecord,
    header: string[] | null,
    opts: ImportOptions,
    summary: ImportSummary,
    now: number,
  ): ImportRow | string {
    let obj: Record<string, unknown>;
    if (header) {
      const f = parseCsvRecord(rec.text);
      if (!f.ok) return f.error;
      obj = {};
      for (let i = 0; i < header.length; i++) {
        const v = f.fields[i];
        obj[header[i]!] = v === undefined ? v : unescapeCsvCell(v);
      }
    } else {
      try {
        const v: unknown = JSON.parse(rec.text);
        if (typeof v === 'string') obj = { address: v };
        else if (typeof v === 'object' && v !== null && !Array.isArray(v))
          obj = v as Record<string, unknown>;
        else return 'expected a JSON object or string';
      } catch (err) {
        return `malformed JSON (${(err as Error).message})`;
      }
      if (typeof obj[INPUT_ERROR_KEY] === 'string') return obj[INPUT_ERROR_KEY];
      summary.kind ??= detectImportKind(Object.keys(obj));
    }
    const r = importRow(summary.kind ?? 'generic', obj, opts.defaults);
    return r.ok ? withPolicyExpiry(r.row, this.deps.policy.rules, now) : r.error;
  }

  private async importBatch(
    batch: RawRecord[],
    header: string[] | null,
    opts: ImportOptions,
    summary: ImportSummary,
    auditId: string,
  ): Promise<ImportLineResult[]> {
    const now = this.deps.clock.now();
    const results: ImportLineResult[] = [];
    const byKey = new Map<string, Pending>();
    for (const rec of batch) {
      const row = this.parse(rec, header, opts, summary, now);
      const n =
        typeof row === 'string'
          ? null
          : normaliseAddress(row.address, this.deps.defaultPhoneRegion);
      if (typeof row === 'string' || !n?.ok) {
        results.push({
          line: rec.line,
          status: 'invalid',
          error: `line ${rec.line}: ${typeof row === 'string' ? row : n && !n.ok ? n.error : 'invalid'}`,
        });
        continue;
      }
      const address = this.deps.privacy
        ? storedAddress(this.deps.privacy, n.channel, n.address)
        : n.address;
      const p: Pending = {
        line: rec.line,
        row,
        channel: n.channel,
        address,
        key: suppressionKeyString({ channel: n.channel, address, scope: row.scope }),
      };
      const twin = byKey.get(p.key);
      // The same suppression twice in one batch: the stronger one goes on, the other is unchanged.
      if (twin && !importReplaces(twin.row, p.row, now))
        results.push({ line: p.line, status: 'unchanged' });
      else {
        if (twin) results.push({ line: twin.line, status: 'unchanged' });
        byKey.set(p.key, p);
      }
    }
    const invalid = results.filter((r) => r.status === 'invalid').length;
    const statuses = await this.write([...byKey.values()], now, (trx, done) => {
      // The counts as they will be once this chunk is in: the entry commits with the rows.
      const s = {
        ...summary,
        total: summary.total + batch.length,
        invalid: summary.invalid + invalid,
      };
      s.unchanged += batch.length - invalid - done.size;
      for (const st of done.values()) s[st]++;
      return upsertAudit(trx, this.auditRow(auditId, opts, s, false));
    });
    if (statuses.size > 0) this.deps.onChange?.();
    for (const p of byKey.values())
      results.push({ line: p.line, status: statuses.get(p.key) ?? 'unchanged' });
    return results.sort((a, b) => a.line - b.line);
  }

  /**
   * Insert first (one prepared statement per row on SQLite, `unnest` on PostgreSQL), then read
   * only the rows whose key already existed and decide whether the import replaces them. Loading
   * into an empty or disjoint list therefore costs no lookups at all.
   */
  private async write(
    items: Pending[],
    now: number,
    progress: (trx: DbTransaction, statuses: Map<string, ImportStatus>) => Promise<void>,
  ): Promise<Map<string, ImportStatus>> {
    const statuses = new Map<string, ImportStatus>();
    if (items.length === 0) return statuses;
    const { kysely, caps, insertSuppressionsPrepared } = this.deps.db;
    await kysely.transaction().execute(async (trx) => {
      let written = 0;
      const insert = async (rows: NewSuppressionRow[]): Promise<void> => {
        const before = statuses.size;
        for (const key of await insertNew(trx, rows, caps, insertSuppressionsPrepared))
          statuses.set(key, 'imported');
        written += statuses.size - before;
      };
      const fresh = items.map((p) => this.toRow(p, null, now));
      await insert(fresh);
      const conflicting = items.filter((p) => !statuses.has(p.key));
      const existing =
        conflicting.length === 0
          ? new Map<string, SuppressionRow>()
          : await findByKeys(
              trx,
              caps,
              conflicting.map((p) => ({
                channel: p.channel,
                address: p.address,
                scope: p.row.scope,
              })),
              true,
            );
      const toUpdate: NewSuppressionRow[] = [];
      const vanished: NewSuppressionRow[] = [];
      for (const p of conflicting) {
        const cur = existing.get(p.key);
        // Deleted by someone else between the insert and the read (PostgreSQL): insert it again.
        if (!cur) vanished.push(this.toRow(p, null, now));
        else if (
          importReplaces(
            {
              reason: cur.reason as Reason,
              expiresAt: cur.expires_at === null ? null : Number(cur.expires_at),
            },
            p.row,
            now,
          )
        ) {
          toUpdate.push(this.toRow(p, cur, now));
          statuses.set(p.key, 'updated');
        } else statuses.set(p.key, 'unchanged');
      }
      if (vanished.length > 0) await insert(vanished);
      await updateState(trx, toUpdate, caps);
      // The last row written for a key is the one in the table (vanished rows were re-inserted).
      const imported = [
        ...new Map([...fresh, ...vanished].map((r) => [suppressionKeyString(r), r])).values(),
      ].filter((r) => statuses.get(suppressionKeyString(r)) === 'imported');
      await queueChangeEvents(
        trx,
        [...imported, ...toUpdate]
          .filter((r) => isActive({ expiresAt: r.expires_at ?? null }, now))
          .map((r) => ({
            type: 'suppression.added' as const,
            at: now,
            data: changeData({ ...r, expires_at: r.expires_at ?? null }),
          })),
        now,
      );
      if (written + toUpdate.length > 0) await markSuppressionsChanged(trx, { deleted: false });
      await progress(trx, statuses);
    });
    return statuses;
  }

  private toRow(p: Pending, cur: SuppressionRow | null, now: number): NewSuppressionRow {
    const at = p.row.at ?? now;
    const meta = cur
      ? { ...(JSON.parse(cur.metadata) as object), ...p.row.metadata }
      : p.row.metadata;
    // A new temporary suppression is one failure in the policy's window, as from a webhook.
    const soft = !cur && this.deps.policy.rules[p.row.reason].mode === 'cooldown';
    return {
      id: cur?.id ?? newId(now),
      channel: p.channel,
      address: p.address,
      scope: p.row.scope,
      reason: p.row.reason,
      source: p.row.source,
      first_event_at: cur ? Math.min(Number(cur.first_event_at), at) : at,
      last_event_at: cur ? Math.max(Number(cur.last_event_at), at) : at,
      expires_at: p.row.expiresAt,
      soft_count: cur?.soft_count ?? (soft ? 1 : 0),
      soft_failures: cur?.soft_failures ?? (soft ? JSON.stringify([at]) : '[]'),
      metadata: JSON.stringify(meta),
      created_at: cur ? Number(cur.created_at) : now,
      updated_at: now,
    };
  }

  private auditRow(
    id: string,
    opts: ImportOptions,
    s: ImportSummary,
    complete: boolean,
  ): NewAuditRow {
    const counts = {
      total: s.total,
      imported: s.imported,
      updated: s.updated,
      unchanged: s.unchanged,
      invalid: s.invalid,
      kind: s.kind,
      format: opts.format,
      defaults: opts.defaults,
      complete,
    };
    const tally = `${s.imported} imported, ${s.updated} updated, ${s.unchanged} unchanged, ${s.invalid} invalid`;
    return {
      id,
      at: this.deps.clock.now(),
      actor: opts.actor,
      action: 'import',
      channel: null,
      address: null,
      scope: opts.defaults.scope ?? null,
      before: null,
      after: JSON.stringify(counts),
      note: complete
        ? `import of ${countOf(s.total, 'row')}: ${tally}`
        : `import in progress (stopped here if it never completes; importing the same file again resumes it): ${s.total} rows so far, ${tally}`,
    };
  }
}
