import { sql } from 'kysely';
import type { Db } from '../../src/storage/database.js';

/** Every (table, column) of the current schema, from the engine's own catalog. */
async function columnsOf(db: Db): Promise<Array<{ table: string; column: string }>> {
  if (db.caps.engine === 'postgres') {
    const { rows } = await sql<{ table: string; column: string }>`
      select table_name as "table", column_name as "column" from information_schema.columns
      where table_schema = current_schema()`.execute(db.kysely);
    return rows;
  }
  const { rows: tables } = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(
    db.kysely,
  );
  const out: Array<{ table: string; column: string }> = [];
  for (const t of tables) {
    const { rows } = await sql<{
      name: string;
    }>`select name from pragma_table_info(${t.name})`.execute(db.kysely);
    for (const c of rows) out.push({ table: t.name, column: c.name });
  }
  return out;
}

/**
 * Where `text` (any case) still occurs: every column of every table, text and bytes alike (a
 * byte column is read as latin1 and as UTF-8), so nothing escapes by its type.
 */
export async function findText(db: Db, text: string): Promise<string[]> {
  const needle = text.toLowerCase();
  const hits: string[] = [];
  for (const { table, column } of await columnsOf(db)) {
    const { rows } = await sql<{
      v: unknown;
    }>`select ${sql.ref(column)} as v from ${sql.table(table)}`.execute(db.kysely);
    for (const { v } of rows) {
      const s =
        Buffer.isBuffer(v) || v instanceof Uint8Array
          ? `${Buffer.from(v).toString('latin1')}\n${Buffer.from(v).toString('utf8')}`
          : String(v);
      if (s.toLowerCase().includes(needle)) {
        hits.push(`${table}.${column}`);
        break;
      }
    }
  }
  return hits;
}
