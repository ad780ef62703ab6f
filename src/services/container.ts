import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../storage/database.js';
import { DeliveryWriter } from '../storage/queue/delivery-writer.js';
import { claimKv } from '../storage/repositories/kv.repository.js';
import { ApiKeyService } from './access/api-keys.js';
import { RecipientChecker } from './presend/check-recipients.js';
import { RecipientFilter } from './presend/filter-recipients.js';
import { SuppressionIndex } from './suppressions/suppression-index.js';
import { ImportService } from './suppressions/import-suppressions.js';
import { DeliveryService } from './processing/deliveries.js';
import { buildProviderEndpoints } from '../providers/registry.js';
import type { ParseOffload, ProviderEndpoint } from '../providers/types.js';
import { IngestService, type HandshakeHandler } from './ingest/ingest.js';
import { DeliveryProcessor } from './processing/process-deliveries.js';
import { SuppressionService } from './suppressions/suppressions.js';
import { AlertService } from './alerts/alerts.js';
import type { Metrics } from './reporting/metrics.js';
import { OverviewService } from './reporting/overview.js';
import { MessageService } from './reporting/messages.js';
import { StatsService } from './reporting/stats.js';
import { SessionService } from './access/sessions.js';
import { createFetchingSnsCertificateSource } from './ingest/sns-certificates.js';
import type { SnsCertificateSource } from '../providers/ses/sns-signature.js';
import { UnsubscribeLinkService } from './consent/unsubscribe-links.js';
import { PreferenceService } from './consent/preferences.js';
import { GroupService } from './consent/groups.js';
import { ErasureService } from './consent/erasure.js';
import { PrivacyMigrationService } from './consent/privacy-migrate.js';
import { OutboundService } from './outbound/outbound.js';
import { SyncService } from './sync/sync-service.js';

export interface Services {
  config: Readonly<Config>;
  db: Db;
  clock: Clock;
  logger: Logger;
  endpoints: ProviderEndpoint[];
  writer: DeliveryWriter;
  ingest: IngestService;
  processor: DeliveryProcessor;
  checker: RecipientChecker;
  /** Lists of any length against the in-memory suppression index (same decisions as checker). */
  filter: RecipientFilter;
  suppressions: SuppressionService;
  imports: ImportService;
  apiKeys: ApiKeyService;
  deliveries: DeliveryService;
  /** Prometheus metrics when the composition root asked for them (the CLI does not). */
  metrics: Metrics | null;
  alerts: AlertService;
  sessions: SessionService;
  overview: OverviewService;
  stats: StatsService;
  messages: MessageService;
  unsubscribeLinks: UnsubscribeLinkService;
  preferences: PreferenceService;
  groups: GroupService;
  erasure: ErasureService;
  privacyMigration: PrivacyMigrationService;
  /** Signed change events: subscriptions, the outbox sender, the delivery log. */
  outbound: OutboundService;
  /** Two-way sync with providers' suppression lists: status and pulls (pushes go through outbound). */
  sync: SyncService;
  /** Called whenever new work is queued (the in-process worker subscribes). */
  onWork(listener: () => void): void;
  /** Called after a suppression change (or replay) queued change events: wakes the sender. */
  onOutbound(listener: () => void): void;
}

export interface ServiceOptions {
  handshake?: HandshakeHandler;
  /** SNS signing certificates; default: fetched from AWS on first use and cached. */
  snsCertificates?: SnsCertificateSource;
  extraEndpoints?: readonly ProviderEndpoint[];
  metrics?: Metrics;
  /** Large bodies parsed off the event loop (main.ts builds a worker-thread pool). */
  parseOffload?: ParseOffload;
}

const defaultHandshake: HandshakeHandler = async (action) => {
  throw new Error(`no handler for handshake ${action.type}`);
};

/** Build every service from concrete dependencies. Used by main.ts, the CLI and tests alike. */
export function createServices(
  config: Readonly<Config>,
  db: Db,
  clock: Clock,
  logger: Logger,
  opts: ServiceOptions = {},
): Services {
  const listeners: Array<() => void> = [];
  const notify = (): void => {
    for (const l of listeners) l();
  };
  const outboundListeners: Array<() => void> = [];
  const notifyOutbound = (): void => {
    for (const l of outboundListeners) l();
  };
  const endpoints = buildProviderEndpoints(
    config,
    { snsCertificates: opts.snsCertificates ?? createFetchingSnsCertificateSource() },
    opts.extraEndpoints,
  );
  const parseContext = { defaultPhoneRegion: config.defaultPhoneRegion };
  const metrics = opts.metrics ?? null;
  const writer = new DeliveryWriter(
    (rows) => db.writeDeliveries(rows),
    1_000,
    (rows, ms) => {
      metrics?.deliveryCommit(rows.length, ms / 1_000);
      notify();
    },
  );
  const policy = config.policy;
  const apiKeys = new ApiKeyService({ db, clock, bootstrapKey: config.apiKey });
  const alerts = new AlertService({
    db,
    clock,
    logger,
    rules: config.alerts.rules,
    notifiers: config.alerts,
  });
  metrics?.setQueueSource(() => alerts.queueState());
  const checker = new RecipientChecker({
    db,
    clock,
    policy,
    defaultPhoneRegion: config.defaultPhoneRegion,
    pepper: config.privacy.pepper,
  });
  const index = new SuppressionIndex({ db, clock, logger, pepper: config.privacy.pepper });
  const outbound = new OutboundService({
    db,
    clock,
    logger,
    settings: config.outbound,
    sync: config.sync,
    onAttempt: metrics ? (result, seconds) => metrics.outboundAttempt(result, seconds) : undefined,
    onQueued: notifyOutbound,
  });
  metrics?.setOutboundSource(() => outbound.counts());
  const imports = new ImportService({
    db,
    clock,
    policy,
    defaultPhoneRegion: config.defaultPhoneRegion,
    privacy: config.privacy,
    onChange: notifyOutbound,
  });
  return {
    config,
    db,
    clock,
    logger,
    endpoints,
    writer,
    ingest: new IngestService({
      writer,
      clock,
      logger,
      parseContext,
      offload: opts.parseOffload,
      kv: { claim: (key, value, now) => claimKv(db.kysely, key, value, now) },
      handshake: opts.handshake ?? defaultHandshake,
      onOutcome: metrics ? (e, o) => metrics.webhook(e.adapter.name, o) : undefined,
    }),
    processor: new DeliveryProcessor({
      db,
      clock,
      logger,
      policy,
      parseContext,
      offload: opts.parseOffload,
      endpoints: new Map(endpoints.map((e) => [e.id, e])),
      retry: {
        maxAttempts: config.worker.maxAttempts,
        retryBaseMs: config.worker.retryBaseMs,
        retryMaxMs: config.worker.retryMaxMs,
      },
      privacy: config.privacy,
      onApplied: (result) => {
        metrics?.applied(result);
        if (result.changes.length > 0) notifyOutbound();
      },
    }),
    checker,
    filter: new RecipientFilter({
      checker,
      index,
      clock,
      defaultPhoneRegion: config.defaultPhoneRegion,
    }),
    suppressions: new SuppressionService({
      db,
      clock,
      policy,
      defaultPhoneRegion: config.defaultPhoneRegion,
      index,
      pepper: config.privacy.pepper,
      hashed: config.privacy.mode === 'hashed',
      onChange: notifyOutbound,
    }),
    imports,
    sync: new SyncService({ db, clock, logger, config: config.sync, imports }),
    apiKeys,
    deliveries: new DeliveryService({ db, clock, onRequeued: notify }),
    metrics,
    alerts,
    sessions: new SessionService({ db, clock, apiKeys, ttlMs: config.dashboard.sessionTtlMs }),
    overview: new OverviewService({ db, clock, rules: config.alerts.rules }),
    stats: new StatsService({ db, clock }),
    messages: new MessageService({ db }),
    unsubscribeLinks: new UnsubscribeLinkService({ config, clock }),
    preferences: new PreferenceService({ db, clock, config, logger }),
    groups: new GroupService({ db, clock }),
    erasure: new ErasureService({ db, clock, config }),
    privacyMigration: new PrivacyMigrationService({ db, clock, config }),
    outbound,
    onWork: (l) => listeners.push(l),
    onOutbound: (l) => outboundListeners.push(l),
  };
}
