import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { runBouncer } from '../helpers/cli.js';
import { findText } from '../helpers/scan-tables.js';

describe.each(testDialects())('bouncer erase and bouncer privacy migrate on %s', (dialect) => {
  let tdb: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    tdb = await createTestDatabase(dialect);
    env = {
      BOUNCER_DATABASE_URL: tdb.url,
      BOUNCER_ADDRESS_PEPPER: 'pepper-for-the-cli-tests-012345',
    };
  });
  afterAll(async () => tdb.cleanup());

  it('erases an address while check still refuses it', async () => {
    await runBouncer(
      [
        'suppress',
        'gone@example.com',
        '--reason',
        'hard_bounce',
        '--note',
        'gone@example.com bounced',
      ],
      env,
    );
    const r = await runBouncer(['erase', 'Gone@Example.com', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      suppressions: 1,
      keyed: expect.stringMatching(/^hmac:/),
    });
    expect(await findText(tdb.db, 'gone@example.com')).toEqual([]);
    expect((await runBouncer(['check', 'gone@example.com'], env)).code).toBe(1);
  });

  it('refuses erasure without a pepper, naming the setting', async () => {
    const r = await runBouncer(['erase', 'x@example.com'], { BOUNCER_DATABASE_URL: tdb.url });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('BOUNCER_ADDRESS_PEPPER');
  });

  it('migrates plain rows to hashed ones', async () => {
    await runBouncer(['suppress', 'plain@example.com', '--note', 'manual'], env);
    const r = await runBouncer(['privacy', 'migrate'], { ...env, BOUNCER_PRIVACY_MODE: 'hashed' });
    expect(r.stdout).toContain('converted 1 addresses');
    expect(await findText(tdb.db, 'plain@example.com')).toEqual([]);
    expect((await runBouncer(['check', 'plain@example.com'], env)).code).toBe(1);
  });
});
