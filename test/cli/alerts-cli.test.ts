import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { runBouncer } from '../helpers/cli.js';

describe.each(testDialects())('bouncer alerts on %s', (dialect) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase(dialect);
  });
  afterAll(async () => tdb.cleanup());

  it('evaluates the rules, records a firing alert once and lists it', async () => {
    const env = {
      BOUNCER_DATABASE_URL: tdb.url,
      BOUNCER_ALERTS: '{"suppressionSpike":{"threshold":1}}',
    };
    for (const a of ['a@example.com', 'b@example.com'])
      expect((await runBouncer(['suppress', a, '--note', 'cli test'], env)).code).toBe(0);
    const first = await runBouncer(['alerts', '--evaluate', '--json'], env);
    expect(first.code).toBe(0);
    const parsed = JSON.parse(first.stdout);
    expect(parsed.firing).toMatchObject([
      { rule: 'suppression_spike', group: '*', severity: 'warning', value: 2, threshold: 1 },
    ]);
    const again = await runBouncer(['alerts', '--evaluate'], env);
    expect(again.stdout).toContain('suppression_spike');
    const transitions = await tdb.db.kysely
      .selectFrom('alert_transitions')
      .select(['rule', 'transition'])
      .execute();
    expect(transitions).toEqual([{ rule: 'suppression_spike', transition: 'firing' }]);
  });
});
