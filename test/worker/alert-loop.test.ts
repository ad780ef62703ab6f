import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { AlertLoop, type AlertTick } from '../../src/worker/alerts.js';

describe.each(testDialects())('the alert loop on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      env: { BOUNCER_ALERTS: '{"suppressionSpike":{"threshold":1}}' },
    });
  });
  afterAll(async () => t.close());

  it('evaluates on start, reports each round and stops cleanly', async () => {
    for (const address of ['x@example.com', 'y@example.com'])
      await t.services.suppressions.suppress({ address, note: 'loop test', actor: 'test' });
    const loop = new AlertLoop(
      t.services.alerts,
      t.services.sessions,
      60_000,
      pino({ level: 'silent' }),
    );
    const tick = new Promise<AlertTick>((resolve) => loop.once('tick', resolve));
    loop.start();
    expect(await tick).toEqual({ transitions: 1, sent: 0, retrying: 0, dead: 0 });
    await loop.stop();
    expect((await t.services.alerts.list()).firing).toMatchObject([{ rule: 'suppression_spike' }]);
  });
});
