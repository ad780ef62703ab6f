import { Readable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, FixedClock, type TestApp } from '../helpers/app.js';
import { createServices, type Services } from '../../src/services/container.js';
import { openDatabase, type Db } from '../../src/storage/database.js';

const T0 = Date.UTC(2026, 10, 1);

describe.each(testDialects())('the suppression index shared by two instances on %s', (dialect) => {
  let a: TestApp;
  let bDb: Db;
  let b: Services;
  const clock = new FixedClock(T0);
  beforeAll(async () => {
    a = await buildTestApp(dialect, { clock });
    // A second instance: its own connection, services and index, on the same database.
    bDb = openDatabase(a.tdb.settings);
    b = createServices(a.config, bDb, clock, pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await bDb.close();
    await a.close();
  });

  const statuses = async (s: Services, list: string[], scope?: string) => (await s.filter.decide(list, { scope })).map((d) => (d.status === 'suppressed' ? d.reason : d.status));
  const by = { actor: 'test', note: 'n' };

  it('sees suppressions written by the other instance, including removals and imports', async () => {
    expect(await statuses(b, ['x@example.com', 'y@example.com'])).toEqual(['allowed', 'allowed']);
    await a.services.suppressions.suppress({ ...by, address: 'x@example.com', reason: 'hard_bounce' });
    expect(await statuses(b, ['x@example.com', 'y@example.com'])).toEqual(['hard_bounce', 'allowed']);
    await a.services.suppressions.suppress({ ...by, address: 'x@example.com', reason: 'spam_complaint' });
    await a.services.suppressions.suppress({ ...by, address: 'y@example.com', reason: 'unsubscribe', scope: 'news' });
    expect(await statuses(b, ['x@example.com', 'y@example.com'], 'news')).toEqual(['spam_complaint', 'unsubscribe']);
    await a.services.suppressions.unsuppress({ ...by, address: 'x@example.com' });
    expect(await statuses(b, ['x@example.com', 'y@example.com'])).toEqual(['allowed', 'allowed']);
    const run = a.services.imports.run(Readable.from(['email,created\nz@example.com,1690000000\n']), { format: 'csv', defaults: {}, actor: 'test' });
    for await (const _ of run.results) void _;
    expect(await statuses(b, ['z@example.com'])).toEqual(['unsubscribe']);
  });

  it('sees events applied by the worker of the other instance', async () => {
    expect(await statuses(b, ['hooked@example.com'])).toEqual(['allowed']);
    const res = await a.app.inject({
      method: 'POST', url: '/webhooks/bounce', headers: auth(),
      payload: { email: 'hooked@example.com', source: 'test', type: 'hard', meta: { diagnostic: '550 5.1.1 user unknown' } },
    });
    expect(res.statusCode).toBeLessThan(300);
    await a.drain();
    expect(await statuses(b, ['hooked@example.com'])).toEqual(['hard_bounce']);
  });

  it('lets a cool-down end on time without any write', async () => {
    await a.services.suppressions.suppress({ ...by, address: 'soft@example.com', reason: 'soft_bounce', expiresAt: T0 + 60_000 });
    expect(await statuses(b, ['soft@example.com'])).toEqual(['soft_bounce']);
    clock.advance(60_000);
    expect(await statuses(b, ['soft@example.com'])).toEqual(['allowed']);
  });
});
