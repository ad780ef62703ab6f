import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { parseConfig } from '../src/config.js';
import { createServices } from '../src/services/container.js';
import { openDatabase } from '../src/storage/database.js';
import { migrateToLatest } from '../src/storage/migrations/index.js';
import { ADMIN_KEY, DRIP_SECRET, DRIP_URL_TOKEN } from '../test/helpers/app.js';
import { dripBounce, signDrip } from '../test/helpers/server-process.js';
import { machineLine, writeResultsSection } from './lib/results.js';

/**
 * The CPU each stage of the ingest pipeline costs per webhook, without HTTP and without a load
 * generator competing for the cores: the figures behind issue 3's throughput ceiling on this
 * machine. One process, SQLite (synchronous=FULL) in a temp file:
 * - ingest: verify the Drip signature, parse, group-commit the raw delivery (16 concurrent
 *   webhooks, as in `bench:ingest`);
 * - worker: claim, parse again, apply (events, suppressions) and finish, in batches of 500 (its
 *   cheapest setting, no time slices).
 * Two rounds of 20,000 webhooks on the growing database; the second (warm) is reported.
 * Run: npm run bench:ingest-cpu
 */
const N = Number(process.env.BENCH_WEBHOOKS ?? 20_000);
const CONCURRENCY = 16;

interface Stage {
  wallUs: number;
  cpuUs: number;
}

function stage(n: number, t0: number, c0: NodeJS.CpuUsage): Stage {
  const cpu = process.cpuUsage(c0);
  return { wallUs: ((performance.now() - t0) * 1_000) / n, cpuUs: (cpu.user + cpu.system) / n };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bouncer-bench-ingest-cpu-'));
  try {
    const path = join(dir, 'bench.db');
    const config = parseConfig({
      BOUNCER_DATABASE_URL: `sqlite:${path}`,
      BOUNCER_API_KEY: ADMIN_KEY,
      BOUNCER_DRIP_SECRET: DRIP_SECRET,
      BOUNCER_DRIP_URL_TOKEN: DRIP_URL_TOKEN,
      BOUNCER_LOG_LEVEL: 'silent',
    });
    const db = openDatabase({
      kind: 'sqlite',
      path,
      synchronous: 'FULL',
      driver: process.env.BOUNCER_SQLITE_DRIVER === 'node' ? 'node' : 'better-sqlite3',
    });
    await migrateToLatest(db);
    const services = createServices(
      config,
      db,
      { now: () => Date.now() },
      pino({ level: 'silent' }),
    );
    const endpoint = services.endpoints.find((e) => e.path === '/webhooks/drip/bounce');
    if (!endpoint) throw new Error('no Drip endpoint');
    let k = 0;
    const receive = async (): Promise<void> => {
      const body = dripBounce(`cpu-${k++}@example.com`);
      await services.ingest.receive(endpoint, {
        rawBody: Buffer.from(body),
        headers: {
          'content-type': 'application/json',
          'x-drip-signature': signDrip(body),
          'user-agent': 'bench',
          'content-length': String(body.length),
        },
        url: '/webhooks/drip/bounce',
        params: {},
        receivedAt: Date.now(),
      });
    };
    let ingest: Stage = { wallUs: 0, cpuUs: 0 };
    let worker: Stage = { wallUs: 0, cpuUs: 0 };
    for (let round = 0; round < 2; round++) {
      let t0 = performance.now();
      let c0 = process.cpuUsage();
      for (let i = 0; i < N; i += CONCURRENCY)
        await Promise.all(Array.from({ length: CONCURRENCY }, receive));
      ingest = stage(N, t0, c0);
      t0 = performance.now();
      c0 = process.cpuUsage();
      let processed = 0;
      for (;;) {
        const report = await services.processor.claimAndProcess('bench', 500, 60_000);
        if (report.claimed === 0) break;
        processed += report.claimed;
      }
      if (processed !== N) throw new Error(`worker processed ${processed} of ${N}`);
      worker = stage(N, t0, c0);
    }
    await db.close();
    const f = (v: number): string => `${Math.round(v)} µs`;
    const markdown = [
      '## Ingest pipeline, CPU per webhook without HTTP (issue 3)',
      '',
      machineLine(),
      `One process, SQLite synchronous=FULL in a temp file, signed single-event Drip webhooks with a new address each; ${N.toLocaleString('en-US')} webhooks per round, the second round reported (${(2 * N).toLocaleString('en-US')} deliveries in the database by its end). \`npm run bench:ingest-cpu\`.`,
      '',
      '| stage | CPU per webhook | wall per webhook |',
      '|---|---|---|',
      `| ingest: verify, parse, group commit (${CONCURRENCY} concurrent) | ${f(ingest.cpuUs)} | ${f(ingest.wallUs)} |`,
      `| worker: claim, parse, apply, finish (batches of 500) | ${f(worker.cpuUs)} | ${f(worker.wallUs)} |`,
      `| both | ${f(ingest.cpuUs + worker.cpuUs)} | ${f(ingest.wallUs + worker.wallUs)} |`,
      '',
      `At 10,000 webhooks/s these two stages alone need ${(((ingest.cpuUs + worker.cpuUs) * 10_000) / 1e6).toFixed(2)} cores, before HTTP (the bare server's CPU per request in the ingest section) and the load generator.`,
    ].join('\n');
    process.stdout.write(`${markdown}\n`);
    if (process.env.BENCH_NO_WRITE === undefined) writeResultsSection('ingest-cpu', markdown);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
