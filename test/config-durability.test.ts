import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';

describe('durability and worker configuration', () => {
  it('defaults to FULL durability, 64 KB / 5 MB body limits, 30 days of retention and a 10 s shutdown', () => {
    const c = parseConfig({});
    expect(c.database).toMatchObject({ kind: 'sqlite', synchronous: 'FULL' });
    expect(c.http).toMatchObject({ bodyLimitSingleBytes: 65_536, bodyLimitBatchBytes: 5_242_880 });
    expect(c.worker).toMatchObject({
      retentionDays: 30,
      maxAttempts: 8,
      retryBaseMs: 1_000,
      retryMaxMs: 900_000,
      leaseMs: 60_000,
      batchSize: 500,
      batchDelayMs: 50,
    });
    expect(c.shutdownTimeoutMs).toBe(10_000);
  });

  it('reads the settings and names a bad one', () => {
    const c = parseConfig({
      BOUNCER_SHUTDOWN_TIMEOUT_MS: '2500',
      BOUNCER_WORKER_BATCH_DELAY_MS: '0',
      BOUNCER_DELIVERY_RETENTION_DAYS: '7',
      BOUNCER_SQLITE_SYNCHRONOUS: 'normal',
    });
    expect(c.shutdownTimeoutMs).toBe(2_500);
    expect(c.worker).toMatchObject({ batchDelayMs: 0, retentionDays: 7 });
    expect(c.database).toMatchObject({ synchronous: 'NORMAL' });
    expect(() => parseConfig({ BOUNCER_WORKER_BATCH_DELAY_MS: '-1' })).toThrow(
      'BOUNCER_WORKER_BATCH_DELAY_MS must be an integer between 0 and 10000 (got "-1")',
    );
    expect(() => parseConfig({ BOUNCER_SHUTDOWN_TIMEOUT_MS: 'soon' })).toThrow(
      'BOUNCER_SHUTDOWN_TIMEOUT_MS',
    );
    expect(() => parseConfig({ BOUNCER_DELIVERY_RETENTION_DAYS: '0' })).toThrow(
      'BOUNCER_DELIVERY_RETENTION_DAYS',
    );
    expect(() => parseConfig({ BOUNCER_SQLITE_SYNCHRONOUS: 'EXTRA' })).toThrow(
      'BOUNCER_SQLITE_SYNCHRONOUS must be FULL, NORMAL or OFF',
    );
  });
});
