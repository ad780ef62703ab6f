import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { parseConfig } from '../src/config.js';
import { openMailboxSession } from '../src/mailbox/index.js';
import { ingestMailMessages, processPending } from '../src/services/ingest/bounce-mail.js';
import { createServices, type Services } from '../src/services/container.js';
import { createMailboxScanners } from '../src/services/mailbox/index.js';
import { openDatabase, type Db } from '../src/storage/database.js';
import { migrateToLatest } from '../src/storage/migrations/index.js';
import { startDovecot } from '../test/helpers/dovecot.js';
import { corpusDir } from './lib/bouncemail-score.js';
import { machineLine, writeResultsSection } from './lib/results.js';

/**
 * Throughput of bounce-mail ingestion on SQLite (synchronous=FULL, the production default):
 * `bouncer ingest-mail` with an mbox (store, then apply), and one pass of an IMAP and a POP3
 * scanner over a local Dovecot (fetch, store, move/delete one message at a time).
 * Run: npx tsx bench/mailbox-ingest.ts  (BENCH_MAIL_MESSAGES, BENCH_MAILBOX_MESSAGES set the sizes).
 */
const MESSAGES = Number(process.env.BENCH_MAIL_MESSAGES ?? 2_000);
const MAILBOX_MESSAGES = Number(process.env.BENCH_MAILBOX_MESSAGES ?? 300);

function corpus(): Buffer[] {
  const dir = join(corpusDir(), 'bsd');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => readFileSync(join(dir, f)));
}

async function withServices<T>(
  env: Record<string, string>,
  fn: (s: Services) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'bouncer-bench-mail-'));
  const path = join(dir, 'bench.db');
  const config = parseConfig({
    BOUNCER_DATABASE_URL: `sqlite:${path}`,
    BOUNCER_LOG_LEVEL: 'silent',
    ...env,
  });
  const db: Db = openDatabase({ kind: 'sqlite', path, synchronous: 'FULL' });
  await migrateToLatest(db);
  try {
    return await fn(
      createServices(config, db, { now: () => Date.now() }, pino({ level: 'silent' })),
    );
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rate = (n: number, ms: number): string =>
  `${Math.round((n / ms) * 1_000).toLocaleString('en-US')} msg/s`;

async function benchIngest(samples: Buffer[]): Promise<string[]> {
  const messages = Array.from({ length: MESSAGES }, (_, i) => samples[i % samples.length]!);
  return withServices({}, async (s) => {
    const t0 = performance.now();
    const report = await ingestMailMessages(s, messages, { source: 'bench' });
    const t1 = performance.now();
    await processPending(s, 'bench');
    const t2 = performance.now();
    return [
      `| ingest-mail: parse + store (${MESSAGES} messages, ${report.events} events, ${report.unparsed} dead) | ${(t1 - t0).toFixed(0)} ms | ${rate(MESSAGES, t1 - t0)} |`,
      `| worker: parse again + apply | ${(t2 - t1).toFixed(0)} ms | ${rate(MESSAGES, t2 - t1)} |`,
    ];
  });
}

async function benchScan(samples: Buffer[], protocol: 'imap' | 'pop3'): Promise<string> {
  const dovecot = await startDovecot();
  try {
    for (let i = 0; i < MAILBOX_MESSAGES; i++) dovecot.deliver(samples[i % samples.length]!);
    const mailbox = {
      name: 'bench',
      protocol,
      host: dovecot.host,
      port: protocol === 'imap' ? dovecot.imapPort : dovecot.pop3Port,
      tls: false,
      user: dovecot.user,
      passwordEnv: 'BENCH_PW',
    };
    return await withServices(
      { BOUNCER_MAILBOXES: JSON.stringify([mailbox]), BENCH_PW: dovecot.password },
      async (s) => {
        const [scanner] = createMailboxScanners(s, openMailboxSession);
        const t0 = performance.now();
        const r = await scanner!.scanOnce();
        const ms = performance.now() - t0;
        return `| ${protocol.toUpperCase()} scan, one pass (${r.listed} messages: ${r.processed} processed, ${r.unparsed + r.tooLarge} unparsed) | ${ms.toFixed(0)} ms | ${rate(r.listed, ms)} |`;
      },
    );
  } finally {
    await dovecot.stop();
  }
}

async function main(): Promise<void> {
  const samples = corpus();
  const rows = [
    ...(await benchIngest(samples)),
    await benchScan(samples, 'imap'),
    await benchScan(samples, 'pop3'),
  ];
  const md = [
    '## Bounce mail ingestion',
    '',
    machineLine(),
    `Messages cycle through the ${samples.length} mails of the development corpus (\`bsd/\`); SQLite with synchronous=FULL.`,
    'Scanners store each message durably before moving/deleting it, so a pass costs one commit per message.',
    '',
    '| step | time | throughput |',
    '|---|---|---|',
    ...rows,
  ].join('\n');
  writeResultsSection('mailbox-ingest', md);
  process.stdout.write(`${md}\n`);
}

await main();
