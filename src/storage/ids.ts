import { randomFillSync } from 'node:crypto';

// Randomness is drawn 4 KiB at a time: one syscall per 512 ids instead of one per id (ids are
// made on every webhook and a million at a time by bulk imports).
const POOL_BYTES = 4_096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * Time-ordered text ids: 9 base-36 characters of epoch ms, then 16 hex of randomness.
 * Sorting by id sorts by creation time, which keeps queue claims FIFO and cursors stable.
 */
export function newId(now: number = Date.now()): string {
  if (offset + 8 > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const random = pool.toString('hex', offset, offset + 8);
  offset += 8;
  return now.toString(36).padStart(9, '0') + random;
}

let lastOrdered = '';

/**
 * A newId() that is strictly greater than every one this process made before, even within one
 * millisecond (or with a clock that stands still), for rows whose id order is their send order.
 */
export function newOrderedId(now: number = Date.now()): string {
  let id = newId(now);
  if (id <= lastOrdered) {
    const next = (BigInt(`0x${lastOrdered.slice(9)}`) + 1n).toString(16).padStart(16, '0');
    id = lastOrdered.slice(0, 9) + next;
  }
  lastOrdered = id;
  return id;
}
