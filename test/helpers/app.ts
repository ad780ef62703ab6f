import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { parseConfig, type Config } from '../../src/config.js';
import { FixedClock, type Clock } from '../../src/core/clock.js';
import { buildApp, type AppOptions } from '../../src/http/app.js';
import {
  createServices,
  type ServiceOptions,
  type Services,
} from '../../src/services/container.js';
import type { BatchReport } from '../../src/services/processing/process-deliveries.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import type { TestDialect } from './dialects.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';
export const DRIP_SECRET = 'drip-test-secret';
export const DRIP_URL_TOKEN = 'drip-url-token-0123456789abcdef';

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  tdb: TestDatabase;
  clock: Clock;
  config: Readonly<Config>;
  /** Run the worker until the queue is empty (what the background worker does). */
  drain(): Promise<BatchReport[]>;
  close(): Promise<void>;
}

/** The settings every test starts from; override any variable. */
export function testConfig(
  overrides: Record<string, string> = {},
  url = 'sqlite::memory:',
): Readonly<Config> {
  return parseConfig({
    BOUNCER_DATABASE_URL: url,
    BOUNCER_API_KEY: ADMIN_KEY,
    BOUNCER_DRIP_SECRET: DRIP_SECRET,
    BOUNCER_DRIP_URL_TOKEN: DRIP_URL_TOKEN,
    BOUNCER_LOG_LEVEL: 'silent',
    // Test files make many failing requests from one address; rate-limit tests set their own.
    BOUNCER_RATE_LIMIT_AUTH_FAILURES: '100000',
    BOUNCER_RATE_LIMIT_SIGN_INS: '100000',
    BOUNCER_RATE_LIMIT_NOT_FOUND: '100000',
    ...overrides,
  });
}

/** The real Fastify app on a real, fresh database of the given dialect. */
export async function buildTestApp(
  dialect: TestDialect,
  opts: {
    env?: Record<string, string>;
    clock?: Clock;
    services?: ServiceOptions;
    app?: AppOptions;
  } = {},
): Promise<TestApp> {
  const tdb = await createTestDatabase(dialect);
  const config = testConfig(opts.env, tdb.url);
  const clock = opts.clock ?? { now: () => Date.now() };
  const services = createServices(config, tdb.db, clock, pino({ level: 'silent' }), opts.services);
  const app = await buildApp(services, opts.app);
  const drain = async (): Promise<BatchReport[]> => {
    await services.writer.flushed();
    const reports: BatchReport[] = [];
    // What the worker's loop does, batch after batch, until nothing is due.
    for (;;) {
      const report = await services.processor.claimAndProcess('test-worker', 500, 60_000);
      if (report.claimed === 0) return reports;
      reports.push(report);
    }
  };
  return {
    app,
    services,
    tdb,
    clock,
    config,
    drain,
    close: async () => {
      await app.close();
      await tdb.cleanup();
    },
  };
}

export const auth = (key = ADMIN_KEY): Record<string, string> => ({
  authorization: `Bearer ${key}`,
});

export { FixedClock };
