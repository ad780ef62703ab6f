import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/main.js';
import { testConfig } from './helpers/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { testDialects } from './helpers/dialects.js';

/** A pino logger whose JSON lines land in `lines`. */
function capturingLogger(lines: Array<{ level: number; msg: string }>): pino.Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return pino({ level: 'info' }, sink);
}

const HINT = 'npx bouncer keys create --scope admin';

describe.each(testDialects())('bouncer serve start-up on %s', (dialect) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase(dialect);
  });
  afterAll(async () => tdb.cleanup());

  const serve = async (env: Record<string, string>): Promise<string[]> => {
    const lines: Array<{ level: number; msg: string }> = [];
    const config = testConfig(
      { HOST: '127.0.0.1', PORT: '0', BOUNCER_WORKER: 'false', ...env },
      tdb.url,
    );
    const running = await startServer(config, capturingLogger(lines));
    await running.stop();
    return lines.filter((l) => l.level === 40).map((l) => l.msg);
  };

  it('says how to create the first key when none exists, and stays quiet once one does', async () => {
    expect((await serve({ BOUNCER_API_KEY: '' })).some((m) => m.includes(HINT))).toBe(true);
    expect((await serve({})).some((m) => m.includes(HINT))).toBe(false);
  });
});
