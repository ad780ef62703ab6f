import { Type } from 'typebox';
import { isSaneTime } from '../core/clock.js';
import { validationError } from '../core/errors.js';

export const ErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

/** ISO-8601 or epoch-ms query/body value → epoch ms; a 400 naming the field when unreadable. */
export function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const t = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(t))
    throw validationError(field, 'must be an ISO-8601 time or epoch milliseconds');
  if (!isSaneTime(t)) throw validationError(field, 'must be between 1970 and 9999');
  return t;
}
