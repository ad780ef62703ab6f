import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { BouncerClient } from '../src/client/index.js';
import { parseConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { createServices } from '../src/services/container.js';
import { openDatabase } from '../src/storage/database.js';
import { migrateToLatest } from '../src/storage/migrations/index.js';
import { machineLine, writeResultsSection } from './lib/results.js';

/**
 * The TypeScript client's `filter` end to end against the real server on SQLite, in one process:
 * ROWS recipient objects streamed up from an async generator (every 10th suppressed) against
 * SUPPRESSIONS active suppressions, the answer iterated row by row; and the same list sent by a
 * plain fetch of a prebuilt body (the client's overhead is the difference).
 * Run: npx tsx bench/client-filter.ts  (BENCH_CLIENT_ROWS, BENCH_CLIENT_SUPPRESSIONS set the sizes;
 * BENCH_CLIENT_ONLY=1 skips the plain run and RESULTS.md, e.g. to run under a small --max-old-space-size).
 */
const ROWS = Number(process.env.BENCH_CLIENT_ROWS ?? 1_000_000);
const SUPPRESSIONS = Number(process.env.BENCH_CLIENT_SUPPRESSIONS ?? 100_000);
const KEY = 'bench-admin-key-0123456789abcdef';

const address = (i: number): string =>
  i % 10 === 0 ? `s${(i / 10) % SUPPRESSIONS}@example.com` : `user${i}@example.net`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bouncer-bench-client-'));
  const path = join(dir, 'bench.db');
  const db = openDatabase({ kind: 'sqlite', path, synchronous: 'NORMAL' });
  await migrateToLatest(db);
  const now = Date.now();
  for (let i = 0; i < SUPPRESSIONS; i += 2_000) {
    const rows = Array.from({ length: Math.min(2_000, SUPPRESSIONS - i) }, (_, k) => ({
      id: `b${String(i + k).padStart(10, '0')}`,
      channel: 'email',
      address: `s${i + k}@example.com`,
      scope: '*',
      reason: 'hard_bounce',
      source: 'bench',
      first_event_at: now,
      last_event_at: now,
      expires_at: null,
      soft_count: 0,
      soft_failures: '[]',
      metadata: '{}',
      created_at: now,
      updated_at: now,
    }));
    await db.kysely.insertInto('suppressions').values(rows).execute();
  }
  const config = parseConfig({
    BOUNCER_DATABASE_URL: `sqlite:${path}`,
    BOUNCER_API_KEY: KEY,
    BOUNCER_LOG_LEVEL: 'silent',
  });
  const app = await buildApp(
    createServices(config, db, { now: () => Date.now() }, pino({ level: 'silent' })),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const client = new BouncerClient({ baseUrl, apiKey: KEY, timeoutMs: 60_000 });
  try {
    for await (const _ of client.filter(['warm@example.com'])) void _; // builds the suppression index

    async function* input(): AsyncGenerator<{ address: string; id: number }> {
      for (let i = 0; i < ROWS; i++) yield { address: address(i), id: i };
    }
    const t0 = performance.now();
    const answer = client.filter(input());
    let rows = 0;
    for await (const _row of answer) rows += 1;
    const summary = await answer.summary;
    const clientMs = performance.now() - t0;
    if (summary.total !== ROWS || rows !== summary.allowed)
      throw new Error(`unexpected answer: ${rows} rows, ${JSON.stringify(summary)}`);
    const clientRssMb = Math.round(process.resourceUsage().maxRSS / 1024);

    if (process.env.BENCH_CLIENT_ONLY) {
      console.log(`client.filter: ${(clientMs / 1000).toFixed(2)} s, peak RSS ${clientRssMb} MB`);
      return;
    }
    const body = Array.from({ length: ROWS }, (_, i) =>
      JSON.stringify({ address: address(i), id: i }),
    ).join('\n');
    const t1 = performance.now();
    const res = await fetch(`${baseUrl}/v1/filter`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-ndjson' },
      body,
    });
    const text = await res.text();
    const rawMs = performance.now() - t1;
    if (!text.includes('"summary"')) throw new Error('raw answer without summary');
    const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);

    const md = [
      '## TypeScript client: `filter`',
      '',
      machineLine(),
      `${ROWS.toLocaleString('en')} recipient objects (10 % suppressed) against ${SUPPRESSIONS.toLocaleString('en')} active suppressions, SQLite, server and client in one process (\`npx tsx bench/client-filter.ts\`).`,
      '',
      '| | time | rows/s |',
      '|---|---|---|',
      `| \`client.filter\` (async generator in, rows iterated out) | ${(clientMs / 1000).toFixed(2)} s | ${Math.round(ROWS / (clientMs / 1000)).toLocaleString('en')} |`,
      `| plain \`fetch\` of a prebuilt body, answer read as text | ${(rawMs / 1000).toFixed(2)} s | ${Math.round(ROWS / (rawMs / 1000)).toLocaleString('en')} |`,
      '',
      `Peak RSS of the process (server and client): ${clientRssMb} MB after the client run; ${rssMb} MB after the plain run, whose body is built whole in memory. Load average at the end: ${loadavg()[0]!.toFixed(1)} (the machine is shared).`,
    ].join('\n');
    console.log(md);
    writeResultsSection('client-filter', md);
  } finally {
    await app.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
