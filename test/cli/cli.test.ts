import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { runBouncer } from '../helpers/cli.js';

describe.each(testDialects())('the bouncer command on %s', (dialect) => {
  let tdb: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    tdb = await createTestDatabase(dialect);
    env = { BOUNCER_DATABASE_URL: tdb.url };
  });
  afterAll(async () => tdb.cleanup());

  it('migrates, suppresses, checks and unsuppresses without a server', async () => {
    expect((await runBouncer(['migrate'], env)).stdout).toContain('database is up to date');
    const s = await runBouncer(
      ['suppress', 'Cli@Example.com', '--reason', 'hard_bounce', '--note', 'from the CLI'],
      env,
    );
    expect(s.stdout).toContain('suppressed cli@example.com (hard_bounce, scope *)');
    const check = await runBouncer(['check', 'cli@example.com', 'ok@example.com', '--json'], env);
    expect(check.code).toBe(1);
    const parsed = JSON.parse(check.stdout);
    expect(parsed.suppressed).toMatchObject([
      { address: 'cli@example.com', reason: 'hard_bounce' },
    ]);
    expect(parsed.allowed).toMatchObject([{ address: 'ok@example.com' }]);
    const u = await runBouncer(['unsuppress', 'cli@example.com', '--note', 'fixed'], env);
    expect(u.stdout).toContain('removed cli@example.com');
    expect((await runBouncer(['check', 'cli@example.com'], env)).code).toBe(0);
    const audit = await tdb.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'note'])
      .where('address', '=', 'cli@example.com')
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'suppress', note: 'from the CLI' },
      { action: 'unsuppress', note: 'fixed' },
    ]);
  });

  it('creates a key shown once and stored only as a hash, lists and revokes it', async () => {
    const created = await runBouncer(['keys', 'create', '--scope', 'write', '--name', 'ci'], env);
    const key = created.stdout.trim();
    expect(key).toMatch(/^bnc_/);
    const rows = await tdb.db.kysely.selectFrom('api_keys').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(key);
    const list = JSON.parse((await runBouncer(['keys', 'list', '--json'], env)).stdout);
    expect(list).toMatchObject([{ name: 'ci', scope: 'write', revoked_at: null }]);
    await runBouncer(['keys', 'revoke', rows[0]!.id], env);
    expect(
      JSON.parse((await runBouncer(['keys', 'list', '--json'], env)).stdout)[0].revoked_at,
    ).not.toBeNull();
  });

  it('stops with a message naming a bad setting', async () => {
    const r = await runBouncer(['check', 'a@example.com'], {
      ...env,
      BOUNCER_DEFAULT_PHONE_REGION: 'ZZ',
    });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('BOUNCER_DEFAULT_PHONE_REGION');
  });
});
