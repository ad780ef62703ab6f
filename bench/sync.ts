/**
 * One list everywhere, timed: how long after a change commits a subscriber has its verified
 * Standard Webhooks event and each of the five providers' lists has it (push), on an idle server
 * whose worker loop polls only every 5 s (so what is measured is the wake-on-commit path); and how
 * fast each provider's list is pulled (entries per second).
 *
 * The providers are the local servers of the test suite, implementing each provider's documented
 * endpoints (SigV4 checked for SES), reached through the official SDKs on 127.0.0.1.
 * Run: `npm run bench:sync` (BENCH_CHANGES=100, BENCH_PULL_ENTRIES=5000,
 * BOUNCER_BENCH_DIALECTS=sqlite,postgres).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { OutboundLoop } from '../src/worker/outbound.js';
import { auth, buildTestApp, type TestApp } from '../test/helpers/app.js';
import { testDialects, type TestDialect } from '../test/helpers/dialects.js';
import { startBrevoServer } from '../test/helpers/sync-servers/brevo.js';
import { startMailgunServer } from '../test/helpers/sync-servers/mailgun.js';
import { startPostmarkServer } from '../test/helpers/sync-servers/postmark.js';
import { startSendGridServer } from '../test/helpers/sync-servers/sendgrid.js';
import { startSesServer } from '../test/helpers/sync-servers/ses.js';
import { machineLine, writeResultsSection } from './lib/results.js';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 100);
const PULL_ENTRIES = Number(process.env.BENCH_PULL_ENTRIES ?? 5_000);
const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const KEYS = { sg: 'SG.bench', mg: 'key-bench', pm: 'pm-bench', brevo: 'xkeysib-bench' };
const AWS = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench/secret', region: 'us-east-1' };
const DOMAIN = 'mg.example.com';
const TARGETS = ['webhook', 'sendgrid', 'ses', 'mailgun', 'postmark', 'brevo'] as const;
type Target = (typeof TARGETS)[number];

/** A subscriber that verifies each event and notes when its address arrived. */
async function startSubscriber(): Promise<{
  url: string;
  arrived: Map<string, number>;
  close(): Promise<void>;
}> {
  const wh = new Webhook(SECRET);
  const arrived = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const e = wh.verify(
        Buffer.concat(chunks).toString('utf8'),
        req.headers as Record<string, string>,
      ) as { data: { address: string } };
      arrived.set(e.data.address, performance.now());
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    arrived,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

async function run(dialect: TestDialect): Promise<string[]> {
  const sub = await startSubscriber();
  const sg = await startSendGridServer(KEYS.sg);
  const ses = await startSesServer(AWS);
  const mg = await startMailgunServer(KEYS.mg);
  const pm = await startPostmarkServer(KEYS.pm);
  const brevo = await startBrevoServer(KEYS.brevo);
  const t: TestApp = await buildTestApp(dialect, {
    env: {
      BOUNCER_OUTBOUND_WEBHOOKS: JSON.stringify([{ url: sub.url, secret: SECRET }]),
      BOUNCER_OUTBOUND_ALLOW_PRIVATE: 'true',
      BOUNCER_SYNC_SENDGRID_API_KEY: KEYS.sg,
      BOUNCER_SYNC_SENDGRID_BASE_URL: sg.url,
      BOUNCER_SYNC_SES_ACCESS_KEY_ID: AWS.accessKeyId,
      BOUNCER_SYNC_SES_SECRET_ACCESS_KEY: AWS.secretAccessKey,
      BOUNCER_SYNC_SES_REGION: AWS.region,
      BOUNCER_SYNC_SES_BASE_URL: ses.url,
      BOUNCER_SYNC_MAILGUN_API_KEY: KEYS.mg,
      BOUNCER_SYNC_MAILGUN_DOMAINS: DOMAIN,
      BOUNCER_SYNC_MAILGUN_BASE_URL: mg.url,
      BOUNCER_SYNC_POSTMARK_SERVER_TOKEN: KEYS.pm,
      BOUNCER_SYNC_POSTMARK_BASE_URL: pm.url,
      BOUNCER_SYNC_BREVO_API_KEY: KEYS.brevo,
      BOUNCER_SYNC_BREVO_BASE_URL: brevo.url,
    },
  });
  await t.services.outbound.syncConfigSubscriptions();
  const loop = new OutboundLoop(
    t.services.outbound,
    { pollMs: 5_000, sweepMs: 3_600_000 },
    pino({ level: 'silent' }),
  );
  t.services.onOutbound(() => loop.nudge());
  loop.start();
  const has: Record<Exclude<Target, 'webhook'>, (a: string) => boolean> = {
    sendgrid: (a) => sg.global.has(a),
    ses: (a) => ses.list.has(a),
    mailgun: (a) => mg.lists.get(DOMAIN)?.bounces.has(a) ?? false,
    postmark: (a) => pm.streams.get('outbound')?.has(a) ?? false,
    brevo: (a) => brevo.contacts.get(a)?.blocked === true,
  };
  const latency = new Map<Target, number[]>(TARGETS.map((x) => [x, []]));
  try {
    // Warm-up: clients, prepared statements, JIT.
    for (let i = 0; i < 5 + CHANGES; i++) {
      const address = `bench-${dialect}-${i}@example.com`;
      const started = performance.now();
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/suppressions',
        headers: auth(),
        payload: { address, reason: 'hard_bounce', note: 'bench' },
      });
      if (res.statusCode !== 201) throw new Error(`POST /v1/suppressions: ${res.statusCode}`);
      const seen = new Map<Target, number>();
      const deadline = started + 10_000;
      while (seen.size < TARGETS.length) {
        if (performance.now() > deadline) throw new Error(`${address}: not everywhere in 10 s`);
        const now = performance.now();
        const hook = sub.arrived.get(address);
        if (hook !== undefined && !seen.has('webhook')) seen.set('webhook', hook - started);
        for (const [p, check] of Object.entries(has) as Array<[Target, (a: string) => boolean]>)
          if (!seen.has(p) && check(address)) seen.set(p, now - started);
        await new Promise((r) => setImmediate(r));
      }
      if (i >= 5) for (const [k, v] of seen) latency.get(k)!.push(v);
    }
    await loop.stop();

    // Pull: entries made in each provider's console, read into Bouncer.
    const rates: string[] = [];
    const now = Date.now();
    for (let i = 0; i < PULL_ENTRIES; i++) {
      const a = (p: string) => `${p}-console-${i}@example.org`;
      sg.global.add(a('sg'));
      ses.list.set(a('ses'), 'BOUNCE');
      mg.seed(DOMAIN, 'bounces', { address: a('mg'), createdAt: now });
      pm.seed('outbound', a('pm'), { reason: 'HardBounce', createdAt: now });
      brevo.block(a('brevo'), { code: 'hardBounce', blockedAt: now });
    }
    for (const p of ['sendgrid', 'ses', 'mailgun', 'postmark', 'brevo'] as const) {
      const started = performance.now();
      const r = await t.services.sync.pull(p);
      const s = (performance.now() - started) / 1_000;
      rates.push(
        `${Math.round(r.imported / s).toLocaleString('en-US')}/s (${r.imported.toLocaleString('en-US')} in ${r.pages} ${r.pages === 1 ? 'page' : 'pages'})`,
      );
    }
    const lat = TARGETS.map((x) => {
      const v = latency.get(x)!;
      return `${pct(v, 50).toFixed(1)} / ${pct(v, 95).toFixed(1)} ms`;
    });
    return [`| ${dialect} | ${lat.join(' | ')} |`, `| ${dialect} | ${rates.join(' | ')} |`];
  } finally {
    await loop.stop();
    await t.close();
    await Promise.all([
      sub.close(),
      sg.close(),
      ses.close(),
      mg.close(),
      pm.close(),
      brevo.close(),
    ]);
  }
}

const rows: string[][] = [];
for (const d of testDialects()) {
  process.stdout.write(`sync bench on ${d}…\n`);
  rows.push(await run(d));
}
const md = `## One list everywhere: change events, push and pull (\`npm run bench:sync\`)

${machineLine()}

${CHANGES} suppressions made one after another through \`POST /v1/suppressions\` on an idle server (the
worker loop polls every 5 s; a commit wakes it), each timed from the request until the local
subscriber has verified its Standard Webhooks event and until each provider's local server (its
documented API, reached through the official SDK; SigV4 checked for SES) holds it. Median / p95:

| engine | webhook | SendGrid | SES | Mailgun | Postmark | Brevo |
| ------ | ------- | -------- | --- | ------- | -------- | ----- |
${rows.map((r) => r[0]).join('\n')}

Pull: ${PULL_ENTRIES.toLocaleString('en-US')} entries made in each provider's list, imported by one pass (entries per second):

| engine | SendGrid | SES | Mailgun | Postmark | Brevo |
| ------ | -------- | --- | ------- | -------- | ----- |
${rows.map((r) => r[1]).join('\n')}
`;
writeResultsSection('sync', md);
process.stdout.write(`${md}\n`);
