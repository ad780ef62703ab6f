import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { runBouncer } from '../helpers/cli.js';
import { startSendGridServer } from '../helpers/sync-servers/sendgrid.js';

const SG_KEY = 'SG.cli-key';

describe.each(testDialects())('bouncer sync on %s', (dialect) => {
  let tdb: TestDatabase;
  let sg: Awaited<ReturnType<typeof startSendGridServer>>;
  beforeAll(async () => {
    tdb = await createTestDatabase(dialect);
    sg = await startSendGridServer(SG_KEY);
  });
  afterAll(async () => {
    await tdb.cleanup();
    await sg.close();
  });

  it('pushes queued changes and pulls a provider’s list (local server implementing the documented SendGrid API), then reports the state', async () => {
    const env = {
      BOUNCER_DATABASE_URL: tdb.url,
      BOUNCER_SYNC_SENDGRID_API_KEY: SG_KEY,
      BOUNCER_SYNC_SENDGRID_BASE_URL: sg.url,
    };
    sg.global.add('console@example.com');
    // The first run registers the provider target; changes after it are queued for it.
    expect((await runBouncer(['sync', 'run', '--provider', 'sendgrid'], env)).code).toBe(0);
    expect((await runBouncer(['suppress', 'cli@example.com', '--note', 'cli'], env)).code).toBe(0);
    const run = await runBouncer(['sync', 'run', '--provider', 'sendgrid', '--json'], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).pushed).toMatchObject({ delivered: 1 });
    expect(sg.global.has('cli@example.com')).toBe(true);
    const status = await runBouncer(['sync', 'status', '--json'], env);
    expect(JSON.parse(status.stdout).providers[0]).toMatchObject({
      provider: 'sendgrid',
      configured: true,
      push: { delivered: 1, pending: 0 },
    });
    const row = await tdb.db.kysely
      .selectFrom('suppressions')
      .select(['source'])
      .where('address', '=', 'console@example.com')
      .executeTakeFirst();
    expect(row).toEqual({ source: 'sync:sendgrid' });
    const bad = await runBouncer(['sync', 'run', '--provider', 'mailgun'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/not a configured sync provider/);
  });
});
