/**
 * Errors worth retrying (graphile-worker's RETRYABLE_ERROR_CODES idea): the database was busy or
 * locked, a serialization conflict, or the connection went away. Anything else is a bug or bad
 * data and retrying it only burns attempts.
 */
const RETRYABLE_SQLITE = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_TIMEOUT',
  'SQLITE_IOERR',
]);
const RETRYABLE_PG = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '08007', // connection exceptions
]);
const RETRYABLE_NODE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function isRetryableDbError(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 8) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (RETRYABLE_SQLITE.has(code) || RETRYABLE_PG.has(code) || RETRYABLE_NODE.has(code))
      return true;
  }
  const message = String((err as { message?: unknown }).message ?? '');
  if (
    /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    )
  )
    return true;
  const cause = (err as { cause?: unknown }).cause;
  return cause !== undefined && cause !== err && isRetryableDbError(cause, depth + 1);
}

/**
 * SQLite files that can no longer be written (read-only, disk full, I/O errors, the file gone):
 * the service is unavailable, not broken, so the answer is 503 and reads go on where they can.
 */
const SQLITE_FAULT = /^SQLITE_(READONLY|IOERR|FULL|CANTOPEN|PERM|BUSY|LOCKED)/;

/** Any storage failure that is the environment's, not the request's: answered 503. */
export function isStorageFault(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 8) return false;
  if (isRetryableDbError(err)) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && SQLITE_FAULT.test(code)) return true;
  const cause = (err as { cause?: unknown }).cause;
  return cause !== undefined && cause !== err && isStorageFault(cause, depth + 1);
}

/** The database cannot be reached at all (as opposed to a query failing). */
export function isUnavailableError(err: unknown): boolean {
  return isRetryableDbError(err);
}
