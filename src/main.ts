import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { openDatabase, type Db } from './storage/database.js';
import { migrateToLatest } from './storage/migrations/index.js';
import { isRetryableDbError } from './storage/errors.js';
import { createServices, type Services } from './services/container.js';
import { buildApp } from './http/app.js';
import { Worker, workerSettings } from './worker/worker.js';
import { AlertLoop } from './worker/alerts.js';
import { createParsePool } from './worker/parse-pool.js';
import { startNotReadyServer } from './http/not-ready-server.js';
import { OutboundLoop } from './worker/outbound.js';
import { Metrics } from './services/reporting/metrics.js';
import { CREATE_ADMIN_KEY_COMMAND } from './services/access/api-keys.js';
import { isAppError } from './core/errors.js';
import { createHandshakeHandler } from './services/ingest/handshakes.js';
import { createMailboxScanners, type MailboxScanner } from './services/mailbox/index.js';
import { openMailboxSession } from './mailbox/index.js';
import { createSnsHandshakeHandler } from './services/ingest/sns-handshake.js';
import { loadSnsCertificateFiles } from './services/ingest/sns-certificates.js';
import { SmtpReceiver } from './mailbox/smtp-receiver.js';
import { createSmtpIntake, smtpReceiverOptions } from './services/ingest/smtp-intake.js';

export interface Running {
  app: FastifyInstance;
  services: Services;
  worker: Worker | null;
  /** One per configured mailbox (`BOUNCER_MAILBOXES`). */
  scanners: MailboxScanner[];
  alertLoop: AlertLoop | null;
  url: string;
  /** The SMTP receiver's address (`BOUNCER_SMTP_LISTEN`), null when it is off. */
  smtp: { host: string; port: number } | null;
  stop(): Promise<void>;
}

const systemClock = { now: () => Date.now() };

/** `serving`: the long-running server (SQLite checkpoints move to a background thread). */
export function databaseSettings(
  config: Readonly<Config>,
  logger?: Logger,
  opts: { serving?: boolean } = {},
): Parameters<typeof openDatabase>[0] {
  return config.database.kind === 'sqlite'
    ? {
        kind: 'sqlite',
        path: config.database.path,
        synchronous: config.database.synchronous,
        driver: config.database.driver,
        backgroundCheckpoints: opts.serving === true,
        onCheckpointError: (message) =>
          logger?.warn({ err: message }, 'WAL checkpoint failed; retrying'),
      }
    : { kind: 'postgres', url: config.database.url };
}

const CONNECT_RETRY_FIRST_MS = 250;
const CONNECT_RETRY_MAX_MS = 5_000;

/**
 * Open the database and bring its schema up to date. A PostgreSQL server that cannot be reached
 * yet (it starts after us, a failover) is retried, when serving, with backoff for
 * BOUNCER_DATABASE_CONNECT_TIMEOUT_MS before startup gives up.
 */
export async function openMigrated(
  config: Readonly<Config>,
  logger: Logger,
  opts: { serving?: boolean } = {},
): Promise<Db> {
  // Only the long-running server waits: a CLI command fails at once (exit 75, the MTA or cron
  // tries again later).
  const patience =
    opts.serving === true && config.database.kind === 'postgres'
      ? (config.database.connectTimeoutMs ?? 0)
      : 0;
  const deadline = Date.now() + patience;
  for (let attempt = 1; ; attempt++) {
    const db = openDatabase(databaseSettings(config, logger, opts));
    try {
      const { applied } = await migrateToLatest(db);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
      return db;
    } catch (err) {
      await db.close().catch(() => undefined);
      const wait = Math.min(CONNECT_RETRY_MAX_MS, CONNECT_RETRY_FIRST_MS * 2 ** (attempt - 1));
      if (!isRetryableDbError(err) || Date.now() + wait > deadline) throw err;
      logger.warn(
        { attempt, retryInMs: wait, err: String(err) },
        'database not reachable yet; retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** Composition root: config → database → services → HTTP + worker. */
export async function startServer(
  config: Readonly<Config>,
  logger: Logger = createLogger(config.logLevel),
): Promise<Running> {
  // While start-up waits for PostgreSQL the port already answers: /healthz up, /readyz 503.
  const waiting =
    config.database.kind === 'postgres' && (config.database.connectTimeoutMs ?? 0) > 0
      ? await startNotReadyServer(config.http.host, config.http.port)
      : null;
  let db: Db;
  try {
    db = await openMigrated(config, logger, { serving: true });
  } finally {
    await waiting?.close();
  }
  const metrics = new Metrics();
  const parsePool = createParsePool({
    minBytes: config.bounceMail.offloadBytes,
    threads: config.bounceMail.parseThreads,
    verp: config.bounceMail.verp,
  });
  const services = createServices(config, db, systemClock, logger, {
    parseOffload: parsePool,
    handshake: createHandshakeHandler(logger, {
      ses: createSnsHandshakeHandler({ logger }),
      'aws-sms': createSnsHandshakeHandler({ logger }),
    }),
    snsCertificates:
      config.ses.certFiles.length > 0
        ? await loadSnsCertificateFiles(config.ses.certFiles)
        : undefined,
    metrics,
  });
  const app = await buildApp(services);
  const worker = config.worker.enabled
    ? new Worker(services.processor, workerSettings(config.worker, config.database.kind), logger)
    : null;
  if (worker) {
    services.onWork(() => worker.nudge());
    worker.on('batch', (report) => metrics.batch(report, systemClock.now()));
    worker.start();
  }
  const scanners = createMailboxScanners(services, openMailboxSession);
  for (const scanner of scanners) scanner.start();
  // Alerts are evaluated where the worker runs; on PostgreSQL several such instances may run,
  // transitions are claimed in the database so each is notified once.
  const alertLoop = worker
    ? new AlertLoop(
        services.alerts,
        services.sessions,
        config.alerts.rules.intervalSeconds * 1_000,
        logger,
      )
    : null;
  alertLoop?.start();
  // Signed change events go out where the worker runs; claims are leased in the database.
  await services.outbound.syncConfigSubscriptions();
  const outboundLoop = worker
    ? new OutboundLoop(
        services.outbound,
        {
          pollMs: config.outbound.pollIntervalMs,
          sweepMs: config.outbound.expirySweepMs,
          pullMs: config.sync.pullIntervalMs,
        },
        logger,
        services.sync,
      )
    : null;
  if (outboundLoop) {
    services.onOutbound(() => outboundLoop.nudge());
    outboundLoop.start();
  }
  const url = await app.listen({ host: config.http.host, port: config.http.port });
  const smtpOptions = await smtpReceiverOptions(services);
  const receiver = smtpOptions
    ? new SmtpReceiver({ ...smtpOptions, logger }, createSmtpIntake(services))
    : null;
  const smtp = receiver ? await receiver.listen() : null;
  logger.info(
    {
      url,
      smtp: smtp ? `${smtp.host}:${smtp.port}` : null,
      database: config.database.kind,
      worker: worker !== null,
      mailboxes: scanners.length,
    },
    'bouncer is serving',
  );
  if (!(await services.apiKeys.configured()))
    logger.warn(
      { command: CREATE_ADMIN_KEY_COMMAND },
      `no API key exists yet: create one with \`${CREATE_ADMIN_KEY_COMMAND}\` (or set BOUNCER_API_KEY)`,
    );
  // Build the in-memory suppression index now rather than on the first /v1/filter request.
  services.filter
    .warm()
    .catch((err: unknown) =>
      logger.warn({ err }, 'suppression index warm-up failed; the first filter request retries'),
    );
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // Stop accepting, let in-flight requests finish (their deliveries are committed before
      // they answer), then let the worker finish the batch it holds.
      // Mailbox scanners first: each stores the message in hand before it stops.
      await Promise.all(scanners.map((s) => s.stop()));
      await receiver?.close();
      await app.close();
      await services.writer.flushed();
      await worker?.stop();
      await alertLoop?.stop();
      await parsePool.close();
      await outboundLoop?.stop();
      await db.close();
    })());
  return { app, services, worker, scanners, alertLoop, url, smtp, stop };
}

/** SIGTERM/SIGINT: graceful stop within the configured timeout, then exit. */
export function handleSignals(running: Running, timeoutMs: number, logger: Logger): void {
  const onSignal = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
}

export async function main(): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`${isAppError(err) ? err.message : String(err)}\n`);
    process.exit(78);
  }
  const logger = createLogger(config.logLevel);
  const running = await startServer(config, logger);
  handleSignals(running, config.shutdownTimeoutMs, logger);
}
