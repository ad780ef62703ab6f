import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { runBouncer } from '../helpers/cli.js';
import { signDrip } from '../helpers/server-process.js';

describe.each(testDialects())('bouncer replay and deliveries on %s', (dialect) => {
  let t: TestApp;
  let env: Record<string, string>;
  const dead: string[] = [];
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    env = { BOUNCER_DATABASE_URL: t.tdb.url };
    for (const body of [
      '{"event": "subscriber.bounced"',
      '{"event": "subscriber.bounced", "data": {}}',
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/webhooks/drip/bounce',
        payload: body,
        headers: { 'content-type': 'application/json', 'x-drip-signature': signDrip(body) },
      });
      dead.push(res.json().delivery_id as string);
    }
    await t.services.writer.flushed();
  });
  afterAll(async () => t.close());

  const status = async (id: string) =>
    (
      await t.tdb.db.kysely
        .selectFrom('deliveries')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).status;

  it('lists dead deliveries with their errors', { timeout: 60_000 }, async () => {
    const r = await runBouncer(['deliveries', 'list', '--status', 'dead', '--json'], env);
    expect(r.code).toBe(0);
    const items = JSON.parse(r.stdout) as Array<{ id: string; status: string; last_error: string }>;
    expect(items.map((d) => d.id).sort()).toEqual([...dead].sort());
    expect(items.every((d) => d.status === 'dead' && d.last_error.length > 0)).toBe(true);
  });

  it(
    'replays one delivery by id under either command, and all dead ones by status',
    { timeout: 60_000 },
    async () => {
      const one = await runBouncer(['deliveries', 'replay', dead[0]!], env);
      expect(one.stdout).toBe('requeued 1\n');
      expect(await status(dead[0]!)).toBe('pending');
      const all = await runBouncer(['replay', '--status', 'dead', '--json'], env);
      expect(JSON.parse(all.stdout)).toEqual({ requeued: 1, missing: [] });
      expect(await status(dead[1]!)).toBe('pending');
      const [report] = await t.drain();
      expect(report).toMatchObject({ claimed: 2, dead: 2 });
    },
  );

  it(
    'replays by provider and time, and exits 1 naming ids it does not know',
    { timeout: 60_000 },
    async () => {
      const r = await runBouncer(['replay', '--provider', 'drip', '--since', '1h'], env);
      expect(r.stdout).toBe('requeued 2\n');
      await t.drain();
      const missing = await runBouncer(['replay', 'no-such-id'], env);
      expect(missing.code).toBe(1);
      expect(missing.stdout).toContain('not found: no-such-id');
      const bad = await runBouncer(['replay'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('give delivery ids, a status, a provider or a since time');
    },
  );
});
