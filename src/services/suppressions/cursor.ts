import { validationError } from '../../core/errors.js';

/** Opaque pagination cursors: base64url JSON of the last row's sort key. */
export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T extends Record<string, string | number>>(
  cursor: string | undefined,
  keys: ReadonlyArray<keyof T & string>,
): T | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    for (const k of keys)
      if (typeof v[k] !== 'string' && typeof v[k] !== 'number') throw new Error(k);
    return v as T;
  } catch {
    throw validationError('cursor', 'is not a cursor this API returned');
  }
}
