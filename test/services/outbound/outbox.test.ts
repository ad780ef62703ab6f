import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../helpers/dialects.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { queueChangeEvents } from '../../../src/services/outbound/change-outbox.js';
import {
  checkDestinationUrl,
  isForbiddenAddress,
} from '../../../src/services/outbound/destination-guard.js';
import { parseRetryAfter } from '../../../src/core/retry-after.js';
import type { ChangeEvent } from '../../../src/core/change-events.js';

const event = (address: string): ChangeEvent => ({
  type: 'suppression.added',
  at: 1,
  data: { address, channel: 'email', scope: '*', reason: 'manual', source: 'manual', until: null },
});

describe.each(testDialects())('the change event outbox on %s', (dialect) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase(dialect);
    await tdb.db.kysely
      .insertInto('outbound_subscriptions')
      .values([
        {
          id: 's1',
          url: 'http://x/',
          secret: 'whsec_x',
          events: null,
          origin: 'api',
          created_at: 1,
        },
        {
          id: 's2',
          url: 'http://y/',
          secret: 'whsec_y',
          events: '["suppression.removed"]',
          origin: 'api',
          created_at: 1,
        },
      ])
      .execute();
  });
  afterAll(async () => tdb.cleanup());
  const count = async () =>
    Number(
      (
        await tdb.db.kysely
          .selectFrom('outbound_deliveries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirst()
      )?.n,
    );

  it('queues nothing for a change whose transaction rolled back', async () => {
    await expect(
      tdb.db.kysely.transaction().execute(async (trx) => {
        await queueChangeEvents(trx, [event('rolled@example.com')], 1);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await count()).toBe(0);
  });

  it('queues one delivery per subscriber that wants the type, once per dedup key', async () => {
    const key = () => 'k1';
    await tdb.db.kysely.transaction().execute(async (trx) => {
      expect(await queueChangeEvents(trx, [event('a@example.com')], 1, key)).toBe(1);
    });
    await tdb.db.kysely.transaction().execute(async (trx) => {
      expect(await queueChangeEvents(trx, [event('a@example.com')], 2, key)).toBe(0);
    });
    expect(await count()).toBe(1);
  });
});

describe('the outbound destination guard', () => {
  it('refuses loopback, private, link-local, metadata and non-http destinations', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00:ec2::254',
      'fe80::1',
      '::ffff:127.0.0.1',
    ])
      expect(isForbiddenAddress(ip), ip).toBe(true);
    for (const ip of ['93.184.216.34', '2606:2800:220:1::1'])
      expect(isForbiddenAddress(ip), ip).toBe(false);
    expect(checkDestinationUrl('http://169.254.169.254/latest/meta-data', false)).toMatch(
      /private/,
    );
    expect(checkDestinationUrl('http://[::1]:8080/', false)).toMatch(/private/);
    expect(checkDestinationUrl('http://localhost/', false)).toMatch(/local/);
    expect(checkDestinationUrl('ftp://example.com/', true)).toMatch(/http/);
    expect(checkDestinationUrl('http://127.0.0.1:9/', true)).toBeNull();
    expect(checkDestinationUrl('https://hooks.example.com/x', false)).toBeNull();
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter(new Date(60_000).toUTCString(), 0)).toBe(60_000);
    expect(parseRetryAfter('soon', 0)).toBeNull();
  });
});
