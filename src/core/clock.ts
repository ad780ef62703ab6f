/** Time comes in from outside so core stays pure and tests can freeze it. Epoch milliseconds. */
export interface Clock {
  now(): number;
}

export const MS_PER_SECOND = 1_000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** A clock for tests: time moves only when told to. */
export class FixedClock implements Clock {
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  set(epochMs: number): void {
    this.current = epochMs;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * The times Bouncer accepts from outside: 1970-01-01 to 9999-12-31 (epoch ms). Beyond that a
 * time cannot be written as a four-digit ISO year, and near ±8.64e15 not as a Date at all, so
 * a row holding one would answer 500 on every read after it was committed.
 */
export const MIN_TIME_MS = 0;
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function isSaneTime(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_TIME_MS && ms <= MAX_TIME_MS;
}

/**
 * ISO-8601 of a stored time; never throws. A value outside the accepted range (a row written
 * before the range was enforced) is clamped into it, so it still reads as a valid date-time.
 */
export function isoTime(ms: number | string | bigint): string {
  const n = Number(ms);
  const safe = Number.isNaN(n) ? MIN_TIME_MS : Math.min(Math.max(n, MIN_TIME_MS), MAX_TIME_MS);
  return new Date(safe).toISOString();
}
