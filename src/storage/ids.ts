import { randomBytes } from 'node:crypto';

// Random bytes drawn 4 KiB at a time: one randomBytes call per 512 ids instead of one per id
// (bulk imports create a million ids).
const POOL_BYTES = 4_096;
let pool = Buffer.alloc(0);
let poolAt = 0;

function random8Hex(): string {
  if (poolAt + 8 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  poolAt += 8;
  return pool.toString('hex', poolAt - 8, poolAt);
}

/**
 * Time-ordered text ids: 9 base-36 characters of epoch ms, then 16 hex of randomness.
 * Sorting by id sorts by creation time, which keeps queue claims FIFO and cursors stable.
 */
export function newId(now: number = Date.now()): string {
  return now.toString(36).padStart(9, '0') + random8Hex();
}
