import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { runBouncer } from '../helpers/cli.js';
import { storeEvents } from '../helpers/events.js';

const T0 = Date.parse('2026-11-01T00:00:00Z');

describe.each(testDialects())('bouncer stats and bouncer message on %s', (dialect) => {
  let tdb: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    tdb = await createTestDatabase(dialect);
    env = { BOUNCER_DATABASE_URL: tdb.url };
    await storeEvents(tdb.db, [
      { type: 'delivered', occurred_at: T0 + 1_000, provider_message_id: 'cli-1', campaign: 'nov' },
      {
        type: 'bounce',
        reason: 'hard_bounce',
        severity: 'hard',
        address: 'gone@example.com',
        occurred_at: T0 + 2_000,
        provider_message_id: 'cli-1',
        campaign: 'nov',
      },
      { type: 'delivered', occurred_at: T0 + 86_400_000, provider: 'ses' },
    ]);
  });
  afterAll(async () => tdb.cleanup());

  it('prints counts and rates per day and per provider', async () => {
    const json = await runBouncer(
      [
        'stats',
        '--from',
        '2026-11-01T00:00:00Z',
        '--to',
        '2026-11-03T00:00:00Z',
        '--by',
        'provider',
        '--json',
      ],
      env,
    );
    expect(json.code, json.stderr).toBe(0);
    const r = JSON.parse(json.stdout);
    expect(r.totals).toMatchObject({
      sendgrid: { delivered: 1, bounced: 1, bounce_rate: 50 },
      ses: { delivered: 1, bounce_rate: 0 },
    });
    const human = await runBouncer(
      ['stats', '--from', '2026-11-01T00:00:00Z', '--to', '2026-11-03T00:00:00Z'],
      env,
    );
    expect(human.stdout).toContain(
      'day buckets from 2026-11-01T00:00:00.000Z to 2026-11-03T00:00:00.000Z',
    );
    expect(human.stdout).toMatch(
      /^2026-11-01T00:00:00.000Z\s+1\s+1\s+1\s+0\s+0\s+0\s+0\s+0\s+50%\s+0%$/m,
    );
    const bad = await runBouncer(['stats', '--interval', 'week'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("argument 'week' is invalid");
  }, 90_000); // three child processes of tsx: slow on a loaded machine

  it('prints the timeline of a message, and fails clearly for an unknown id', async () => {
    const r = await runBouncer(['message', 'cli-1'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('message cli-1 (sendgrid, campaign nov)');
    expect(r.stdout).toMatch(/gone@example.com\s+bounce/);
    const missing = await runBouncer(['message', 'nope'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('bouncer: No events for this provider message id');
  }, 90_000);
});
