import type { Db } from '../../storage/database.js';

/** Readiness: the database answers within the timeout. */
export async function databaseReady(
  db: Db,
  timeoutMs = 2_000,
): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('database did not answer in time')), timeoutMs);
      }),
    ]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: String((err as Error).message ?? err) };
  } finally {
    clearTimeout(timer);
  }
}
