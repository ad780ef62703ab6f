/**
 * What operations cost on a populated database: a Prometheus scrape of /metrics (backlog gauges
 * counted at scrape time), one alert evaluation (every rule) and the dashboard overview (30 days).
 * Run: `npx tsx bench/ops.ts` (BENCH_SCALE=0.1 for a quick run; BOUNCER_BENCH_DIALECTS=sqlite,postgres).
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { buildTestApp, type TestApp } from '../test/helpers/app.js';
import type { TestDialect } from '../test/helpers/dialects.js';
import { Metrics } from '../src/services/reporting/metrics.js';
import { insertEvents } from '../src/storage/repositories/event.repository.js';
import { insertDeliveries } from '../src/storage/repositories/delivery.repository.js';
import { insertNew } from '../src/storage/repositories/suppression.repository.js';
import type { NewDeliveryRow, NewEventRow, NewSuppressionRow } from '../src/storage/schema.js';
import { machineLine, writeResultsSection } from './lib/results.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const EVENTS = Math.round(500_000 * SCALE);
const DELIVERIES = Math.round(300_000 * SCALE);
const SUPPRESSIONS = Math.round(100_000 * SCALE);
const REPEAT = 15;
const DAY_MS = 86_400_000;
const TYPES = [
  'delivered',
  'delivered',
  'delivered',
  'delivered',
  'delivered',
  'delivered',
  'delivered',
  'delivered',
  'bounce',
  'open',
  'click',
  'complaint',
];
const REASONS = [
  'hard_bounce',
  'hard_bounce',
  'hard_bounce',
  'soft_bounce',
  'spam_complaint',
  'unsubscribe',
];

async function seed(t: TestApp, now: number): Promise<void> {
  const q = t.tdb.db.kysely;
  for (let i = 0; i < EVENTS; i += 5_000) {
    const rows: NewEventRow[] = [];
    for (let j = i; j < Math.min(EVENTS, i + 5_000); j++) {
      const at = now - Math.floor((j / EVENTS) * 30 * DAY_MS);
      rows.push({
        id: `ev${String(j).padStart(12, '0')}`,
        provider: j % 3 ? 'sendgrid' : 'drip',
        dedup_key: `d${j}`,
        type: TYPES[j % TYPES.length]!,
        channel: 'email',
        address: `u${j % 200_000}@d${j % 500}.example`,
        scope: '*',
        severity: null,
        reason: null,
        fine_reason: null,
        smtp_code: null,
        enhanced_status: null,
        diagnostic: null,
        error_code: null,
        provider_message_id: null,
        campaign: `c${j % 20}`,
        occurred_at: at,
        received_at: at,
        delivery_id: null,
        details: '{}',
      });
    }
    await q.transaction().execute((trx) => insertEvents(trx, rows));
  }
  const body = Buffer.from('{"event":"subscriber.bounced"}');
  for (let i = 0; i < DELIVERIES; i += 2_000) {
    const rows: NewDeliveryRow[] = [];
    for (let j = i; j < Math.min(DELIVERIES, i + 2_000); j++) {
      const at = now - Math.floor((j / DELIVERIES) * 30 * DAY_MS);
      const status = j % 10_000 === 0 ? 'dead' : j % 997 === 0 ? 'pending' : 'done';
      rows.push({
        id: `dl${String(j).padStart(12, '0')}`,
        provider: 'drip',
        endpoint: 'drip-signed',
        received_at: at,
        url: '/webhooks/drip/bounce',
        params: '{}',
        headers: '{}',
        body,
        status,
        attempts: 0,
        run_at: at,
        last_error: null,
        outcome: null,
        processed_at: status === 'done' ? at : null,
      });
    }
    await q.transaction().execute((trx) => insertDeliveries(trx, rows));
  }
  for (let i = 0; i < SUPPRESSIONS; i += 2_000) {
    const rows: NewSuppressionRow[] = [];
    for (let j = i; j < Math.min(SUPPRESSIONS, i + 2_000); j++) {
      const at = now - Math.floor((j / SUPPRESSIONS) * 90 * DAY_MS);
      rows.push({
        id: `sp${String(j).padStart(12, '0')}`,
        channel: 'email',
        address: `s${j}@d${j % 500}.example`,
        scope: '*',
        reason: REASONS[j % REASONS.length]!,
        source: 'drip',
        first_event_at: at,
        last_event_at: at,
        expires_at: null,
        soft_count: 0,
        soft_failures: '[]',
        metadata: '{}',
        created_at: at,
        updated_at: at,
      });
    }
    await q.transaction().execute((trx) => insertNew(trx, rows));
  }
}

async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function run(dialect: TestDialect): Promise<string[]> {
  const metrics = new Metrics();
  const t = await buildTestApp(dialect, {
    services: { metrics },
    env: {
      BOUNCER_ALERTS: JSON.stringify({
        bounceRate: { groupBy: 'provider' },
        complaintRate: { groupBy: 'domain' },
      }),
    },
  });
  try {
    const now = t.clock.now();
    const s0 = performance.now();
    await seed(t, now);
    // The steady state of a running database: statistics are current (autovacuum on PostgreSQL).
    await sql`analyze`.execute(t.tdb.db.kysely);
    process.stderr.write(
      `${dialect}: seeded in ${((performance.now() - s0) / 1_000).toFixed(1)} s\n`,
    );
    const scrape = await median(async () => {
      const res = await t.app.inject({ method: 'GET', url: '/metrics' });
      if (res.statusCode !== 200) throw new Error(`scrape answered ${res.statusCode}`);
    });
    const evaluate = await median(() => t.services.alerts.evaluate());
    const overview = await median(() => t.services.overview.overview(30));
    const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
    return [`| ${dialect} | ${fmt(scrape)} | ${fmt(evaluate)} | ${fmt(overview)} |`];
  } finally {
    await t.close();
  }
}

const dialects = (process.env.BOUNCER_BENCH_DIALECTS ?? 'sqlite,postgres')
  .split(',')
  .filter((d): d is TestDialect => d === 'sqlite' || d === 'postgres');
const lines: string[] = [];
for (const d of dialects) lines.push(...(await run(d)));
const md = [
  '## Operations: metrics scrape, alert evaluation, dashboard overview',
  '',
  machineLine(),
  `Database: ${EVENTS.toLocaleString('en')} events over 30 days, ${DELIVERIES.toLocaleString('en')} deliveries (mostly done), ${SUPPRESSIONS.toLocaleString('en')} suppressions. Median of ${REPEAT} runs after one warm-up; \`npx tsx bench/ops.ts\`.`,
  'Statistics refreshed with ANALYZE after loading (as autovacuum keeps them on PostgreSQL). Alert evaluation runs every rule, bounce rate grouped by provider and complaint rate by recipient domain (1 h windows).',
  '',
  '| engine | GET /metrics | alert evaluation | overview (30 days) |',
  '|---|---|---|---|',
  ...lines,
].join('\n');
if (SCALE === 1) writeResultsSection('ops', md);
process.stdout.write(`${md}\n`);
