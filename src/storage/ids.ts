import { randomBytes } from 'node:crypto';

/**
 * Time-ordered text ids: 9 base-36 characters of epoch ms, then 16 hex of randomness.
 * Sorting by id sorts by creation time, which keeps queue claims FIFO and cursors stable.
 */
export function newId(now: number = Date.now()): string {
  return now.toString(36).padStart(9, '0') + randomBytes(8).toString('hex');
}
