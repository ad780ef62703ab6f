import { createHash } from 'node:crypto';

/** Hex SHA-256 of the parts joined by a separator that cannot occur in them. For dedup keys. */
export function dedupHash(...parts: ReadonlyArray<string | number | null | undefined>): string {
  return createHash('sha256')
    .update(parts.map((p) => (p === null || p === undefined ? '' : String(p))).join('\u0000'))
    .digest('hex');
}
