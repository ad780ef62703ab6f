import { describe, expect, it } from 'vitest';
import { toEpochMs } from '../../../src/providers/shared/json-body.js';

const FALLBACK = 1_700_000_000_000;

describe('toEpochMs', () => {
  it('reads epoch seconds, epoch milliseconds and ISO-8601 text', () => {
    expect(toEpochMs(1_600_000_000, FALLBACK)).toBe(1_600_000_000_000);
    expect(toEpochMs(1_600_000_000_123, FALLBACK)).toBe(1_600_000_000_123);
    expect(toEpochMs('1600000000', FALLBACK)).toBe(1_600_000_000_000);
    expect(toEpochMs('2024-01-01T00:00:00.123Z', FALLBACK)).toBe(
      Date.UTC(2024, 0, 1, 0, 0, 0, 123),
    );
  });

  it('rounds fractional seconds to whole milliseconds (the columns are integers)', () => {
    expect(toEpochMs(1_700_000_000.1234, FALLBACK)).toBe(1_700_000_000_123);
  });

  it('falls back for values no date can hold, which PostgreSQL would refuse for the whole batch', () => {
    expect(toEpochMs(1e20, FALLBACK)).toBe(FALLBACK);
    expect(toEpochMs('99999999999999999999', FALLBACK)).toBe(FALLBACK);
    expect(toEpochMs('not a time', FALLBACK)).toBe(FALLBACK);
  });
});
