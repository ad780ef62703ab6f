import { Readable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../helpers/dialects.js';
import { auth, buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { createServices, type Services } from '../../../src/services/container.js';
import { openDatabase, type Db } from '../../../src/storage/database.js';

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

  const statuses = async (s: Services, list: string[], scope?: string) => {
    const ctx = await s.filter.prepare({ scope });
    return list
      .map((r) => s.filter.decideOne(r, ctx))
      .map((d) => (d.status === 'suppressed' ? d.reason : d.status));
  };
  const by = { actor: 'test', note: 'n' };

  it('sees suppressions written by the other instance, including removals and imports', async () => {
    expect(await statuses(b, ['x@example.com', 'y@example.com'])).toEqual(['allowed', 'allowed']);
    await a.services.suppressions.suppress({
      ...by,
      address: 'x@example.com',
      reason: 'hard_bounce',
    });
    expect(await statuses(b, ['x@example.com', 'y@example.com'])).toEqual([
      'hard_bounce',
      'allowed',
    ]);
    await a.services.suppressions.suppress({
      ...by,
      address: 'x@example.com',
      reason: 'spam_complaint',
    });
    await a.services.suppressions.suppress({
      ...by,
      address: 'y@example.com',
      reason: 'unsubscribe',
      scope: 'news',
    });
    expect(await statuses(b, ['x@example.com', 'y@example.com'], 'news')).toEqual([
      'spam_complaint',
      'unsubscribe',
    ]);
    await a.services.suppressions.unsuppress({ ...by, address: 'x@example.com' });
    expect(await statuses(b, ['x@example.com', 'y@example.com'])).toEqual(['allowed', 'allowed']);
    const run = a.services.imports.run(
      Readable.from(['email,created\nz@example.com,1690000000\n']),
      { format: 'csv', defaults: {}, actor: 'test' },
    );
    for await (const _ of run.results) void _;
    expect(await statuses(b, ['z@example.com'])).toEqual(['unsubscribe']);
  });

  it('sees events applied by the worker of the other instance', async () => {
    expect(await statuses(b, ['hooked@example.com'])).toEqual(['allowed']);
    const res = await a.app.inject({
      method: 'POST',
      url: '/webhooks/bounce',
      headers: auth(),
      payload: {
        email: 'hooked@example.com',
        source: 'test',
        type: 'hard',
        meta: { diagnostic: '550 5.1.1 user unknown' },
      },
    });
    expect(res.statusCode).toBeLessThan(300);
    await a.drain();
    expect(await statuses(b, ['hooked@example.com'])).toEqual(['hard_bounce']);
  });

  it('lets a cool-down end on time without any write', async () => {
    await a.services.suppressions.suppress({
      ...by,
      address: 'soft@example.com',
      reason: 'soft_bounce',
      expiresAt: T0 + 60_000,
    });
    expect(await statuses(b, ['soft@example.com'])).toEqual(['soft_bounce']);
    clock.advance(60_000);
    expect(await statuses(b, ['soft@example.com'])).toEqual(['allowed']);
  });

  /** GET /v1/suppressions/:address as instance b answers it, and as the database says it. */
  const viaIndex = async (address: string, scope?: string) => b.suppressions.status(address, scope);
  const viaDatabase = async (address: string, scope?: string) =>
    createServices(a.config, bDb, clock, pino({ level: 'silent' })).suppressions.status(
      address,
      scope,
    );

  it('answers single-address status from the index exactly as from the database, across instances', async () => {
    await a.services.suppressions.suppress({
      ...by,
      address: 'multi@example.com',
      reason: 'hard_bounce',
    });
    await a.services.suppressions.suppress({
      ...by,
      address: 'multi@example.com',
      reason: 'unsubscribe',
      scope: 'news',
    });
    await a.services.suppressions.suppress({
      ...by,
      address: 'multi@example.com',
      reason: 'unsubscribe',
      scope: 'alpha',
    });
    await a.services.suppressions.suppress({
      ...by,
      address: 'cool@example.com',
      reason: 'soft_bounce',
      expiresAt: clock.now() + 1_000,
    });
    await a.services.suppressions.suppress({
      ...by,
      address: '+1 555 010 9999',
      reason: 'sms_opt_out',
    });
    await b.filter.warm();
    for (const [address, scope] of [
      ['Multi@Example.com', undefined],
      ['multi@example.com', 'news'],
      ['cool@example.com', undefined],
      ['+15550109999', undefined],
      ['nobody@example.com', 'news'],
    ] as const) {
      const expected = await viaDatabase(address, scope);
      expect(await viaIndex(address, scope)).toEqual(expected);
    }
    expect((await viaIndex('multi@example.com')).entries.map((e) => e.scope)).toEqual([
      '*',
      'alpha',
      'news',
    ]);
    // A removal on the other instance: the index rebuilds, answers from the database meanwhile.
    await a.services.suppressions.unsuppress({
      ...by,
      address: 'multi@example.com',
      scope: 'news',
    });
    expect(await viaIndex('multi@example.com', 'news')).toEqual(
      await viaDatabase('multi@example.com', 'news'),
    );
    expect((await viaIndex('multi@example.com', 'news')).entries.map((e) => e.scope)).toEqual([
      '*',
      'alpha',
    ]);
    clock.advance(1_000);
    expect(await viaIndex('cool@example.com')).toMatchObject({ suppressed: false, entries: [] });
  });

  it('does not miss writes stamped by a clock that went back', async () => {
    clock.advance(86_400_000);
    await a.services.suppressions.suppress({
      ...by,
      address: 'future@example.com',
      reason: 'hard_bounce',
    });
    expect((await viaIndex('future@example.com')).suppressed).toBe(true);
    expect(await statuses(b, ['future@example.com'])).toEqual(['hard_bounce']);
    clock.advance(-3 * 86_400_000);
    await a.services.suppressions.suppress({
      ...by,
      address: 'past@example.com',
      reason: 'spam_complaint',
    });
    expect(await statuses(b, ['past@example.com'])).toEqual(['spam_complaint']);
    await a.services.suppressions.suppress({
      ...by,
      address: 'past2@example.com',
      reason: 'spam_complaint',
    });
    expect((await viaIndex('past2@example.com')).entries).toMatchObject([
      { reason: 'spam_complaint' },
    ]);
  });
});
