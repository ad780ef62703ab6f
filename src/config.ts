import { readFileSync } from 'node:fs';
import { checkStandardWebhookSecret } from './core/standard-webhooks.js';
import { parseOutbound, type OutboundConfig } from './config-outbound.js';
import { parseSync, type SyncConfig } from './config-sync.js';
import { isValidRegion, normaliseAddress, normaliseDomain } from './core/address.js';
import { AppError } from './core/errors.js';
import { DEFAULT_POLICY, type PolicyConfig, type ReasonRule } from './core/policy.js';
import { MS_PER_DAY } from './core/clock.js';
import { isReason, REASONS, type Reason } from './core/events.js';
import { parseAlertRules, type AlertRules } from './core/alert-rules.js';
import {
  parseTwilioErrorCodeOverrides,
  type TwilioCodeAction,
} from './providers/twilio/twilio-error-codes.js';
import { parseBrevoConfig, type BrevoConfig } from './providers/brevo/brevo.config.js';
import { parseMailjetConfig, type MailjetConfig } from './providers/mailjet/mailjet.config.js';
import {
  parseSparkpostConfig,
  type SparkpostConfig,
} from './providers/sparkpost/sparkpost.config.js';
import { parseMailgunConfig, type MailgunConfig } from './providers/mailgun/mailgun.config.js';
import { parsePostmarkConfig, type PostmarkConfig } from './providers/postmark/postmark.config.js';
import { parseMandrillConfig, type MandrillConfig } from './providers/mandrill/mandrill.config.js';
import {
  parseStandardWebhooksConfig,
  type StandardWebhooksConfig,
} from './providers/standard-webhooks/standard-webhooks.config.js';
import {
  parseMailersendConfig,
  type MailersendConfig,
} from './providers/mailersend/mailersend.config.js';
import { parsePostalConfig, type PostalConfig } from './providers/postal/postal.config.js';
import { parseMailtrapConfig, type MailtrapConfig } from './providers/mailtrap/mailtrap.config.js';
import {
  parseUnisenderGoConfig,
  type UnisenderGoConfig,
} from './providers/unisender-go/unisender-go.config.js';
import { parseSmtp2goConfig, type Smtp2goConfig } from './providers/smtp2go/smtp2go.config.js';
import {
  parseElasticEmailConfig,
  type ElasticEmailConfig,
} from './providers/elastic-email/elastic-email.config.js';
import {
  parseSesEventBridgeConfig,
  type SesEventBridgeConfig,
} from './providers/ses/ses-eventbridge.config.js';
import { parsePlivoConfig, type PlivoConfig } from './providers/plivo/plivo.config.js';
import { parseTelnyxConfig, type TelnyxConfig } from './providers/telnyx/telnyx.config.js';
import {
  parseMessageBirdConfig,
  type MessageBirdConfig,
} from './providers/messagebird/messagebird.config.js';
import { parseSinchConfig, type SinchConfig } from './providers/sinch/sinch.config.js';
import { parseInfobipConfig, type InfobipConfig } from './providers/infobip/infobip.config.js';
import { parseAwsSmsConfig, type AwsSmsConfig } from './providers/aws-sms/aws-sms.config.js';
import { parseVonageConfig, type VonageConfig } from './providers/vonage/vonage.config.js';

/**
 * Configuration: environment variables, optionally on top of a JSON file named by
 * `BOUNCER_CONFIG` (same keys as the variables; the environment wins). Parsed once into a frozen
 * object; a missing or invalid setting stops startup with a message naming it.
 * Every setting is documented in docs/configuration.md.
 */
export interface Config {
  database:
    | {
        kind: 'sqlite';
        path: string;
        synchronous: 'FULL' | 'NORMAL' | 'OFF';
        /** `BOUNCER_SQLITE_DRIVER`: better-sqlite3 (default) or Node's built-in node:sqlite. */
        driver: 'better-sqlite3' | 'node';
      }
    | {
        kind: 'postgres';
        url: string;
        /** How long startup keeps retrying an unreachable server (ms); default 60 s. */
        connectTimeoutMs?: number;
      };
  http: {
    host: string;
    port: number;
    publicUrl: string | null;
    bodyLimitSingleBytes: number;
    bodyLimitBatchBytes: number;
    /** Whole request headers must arrive within this (ms); slower clients are cut off. */
    headersTimeoutMs: number;
    /** A whole request, body included, must arrive within this (ms); 0 = no limit. */
    requestTimeoutMs: number;
    /** A connection with no traffic for this long (ms) is closed. */
    idleTimeoutMs: number;
    /** Idle keep-alive connections are closed after this (ms). */
    keepAliveTimeoutMs: number;
    /** Open connections accepted at once; more are refused by the server. */
    maxConnections: number;
    /** Fastify `trustProxy`: false, true, a hop count, or addresses/CIDRs of trusted proxies. */
    trustProxy: boolean | number | string[];
    /** Per client address and minute; webhook routes are never limited. */
    rateLimits: { authFailures: number; signIns: number; notFound: number };
  };
  logLevel: string;
  /** Admin key accepted as given (bootstrap/automation); null = only keys from `bouncer keys`. */
  apiKey: string | null;
  defaultPhoneRegion: string;
  policy: PolicyConfig;
  drip: { secrets: string[]; urlTokens: string[] };
  sendgrid: { publicKeys: string[]; maxAgeSeconds: number | undefined };
  ses: { topicArns: string[]; certFiles: string[] };
  twilio: { authTokens: string[]; errorCodes: Record<string, TwilioCodeAction> };
  inboxroad: { urlTokens: string[] };
  sparkpost: SparkpostConfig;
  brevo: BrevoConfig;
  mailjet: MailjetConfig;
  mailgun: MailgunConfig;
  postmark: PostmarkConfig;
  standardWebhooks: StandardWebhooksConfig;
  mandrill: MandrillConfig;
  mailersend: MailersendConfig;
  postal: PostalConfig;
  mailtrap: MailtrapConfig;
  unisenderGo: UnisenderGoConfig;
  smtp2go: Smtp2goConfig;
  elasticEmail: ElasticEmailConfig;
  sesEventBridge: SesEventBridgeConfig;
  vonage: VonageConfig;
  plivo: PlivoConfig;
  telnyx: TelnyxConfig;
  messagebird: MessageBirdConfig;
  sinch: SinchConfig;
  infobip: InfobipConfig;
  awsSms: AwsSmsConfig;
  /** One-click unsubscribe (RFC 8058) links and their pages. */
  unsubscribe: {
    /** `BOUNCER_UNSUBSCRIBE_SECRETS`: sign with the first, verify against all (rotation). */
    secrets: string[];
    /** `BOUNCER_UNSUBSCRIBE_MAIL_DOMAIN`: mailto: links go to unsubscribe+<token>@ it; null = none. */
    mailDomain: string | null;
  };
  /** Branding of the recipient-facing pages (BOUNCER_BRAND_NAME, _LOGO_URL, _COLOR). */
  brand: { name: string; logoUrl: string | null; color: string };
  privacy: {
    /** `BOUNCER_PRIVACY_MODE`: `plain` (default) or `hashed` (new rows keep a keyed hash only). */
    mode: 'plain' | 'hashed';
    /** `BOUNCER_ADDRESS_PEPPER`: the HMAC key of hashed addresses (erasure and hashed mode). */
    pepper: string | null;
  };
  worker: {
    enabled: boolean;
    batchSize: number;
    /** Pause after a batch smaller than batchSize, so the next one is bigger (fewer commits). */
    batchDelayMs: number;
    /** SQLite: size batches to take about this long (ms) on the event loop; 0: batchSize always. */
    sliceMs: number;
    pollIntervalMs: number;
    maxAttempts: number;
    retryBaseMs: number;
    retryMaxMs: number;
    leaseMs: number;
    retentionDays: number;
    /** `BOUNCER_EVENT_RETENTION_DAYS`: events older than this are pruned; 0 (default) keeps them. */
    eventRetentionDays: number;
  };
  shutdownTimeoutMs: number;
  /** `/metrics` bearer token; null = open (scrape on a private network). */
  metrics: { token: string | null };
  alerts: {
    rules: AlertRules;
    slackUrl: string | null;
    webhookUrl: string | null;
    /** Standard Webhooks secret (`whsec_` + base64). */
    webhookSecret: string | null;
  };
  dashboard: { sessionTtlMs: number };
  outbound: OutboundConfig;
  sync: SyncConfig;
  bounceMail: BounceMailConfig;
  mailboxes: MailboxConfig[];
  smtp: SmtpReceiverConfig;
}

/** The SMTP receiver for bounce mail (`BOUNCER_SMTP_*`); off while `listen` is null. */
export interface SmtpReceiverConfig {
  listen: { host: string; port: number } | null;
  /** Recipient domains accepted at RCPT (besides VERP addresses); everything else gets 550. */
  domains: string[];
  /** PEM files for STARTTLS; both null = no STARTTLS offered. */
  tlsCertFile: string | null;
  tlsKeyFile: string | null;
  /** Simultaneous connections one client address may hold. */
  maxConnectionsPerIp: number;
  /** New connections one client address may open a minute. */
  connectionsPerIpPerMinute: number;
}

/** Raw bounce mail received over HTTP or the CLI. */
export interface BounceMailConfig {
  /** Largest accepted message in bytes (HTTP body limit and mailbox message limit); default 10 MiB. */
  bodyLimitBytes: number;
  /** VERP return-path pattern, e.g. `bounces+{local}={domain}@example.com`; null = no VERP. */
  verp: string | null;
  /** Mails of at least this many bytes are parsed in a worker thread; default 64 KiB. */
  offloadBytes: number;
  /** Worker threads for those parses; default 2. */
  parseThreads: number;
}

/** One bounce mailbox scanned over IMAP or POP3 (`BOUNCER_MAILBOXES`). */
export interface MailboxConfig {
  name: string;
  protocol: 'imap' | 'pop3';
  host: string;
  port: number;
  /** true: TLS from the first byte; 'starttls': upgrade a plain connection (required); false: plain text. */
  tls: boolean | 'starttls';
  /** false accepts self-signed certificates (a local Dovecot); default true. */
  rejectUnauthorized: boolean;
  user: string;
  /** Read from the environment variable named by `passwordEnv`; never logged. */
  password: string;
  /** IMAP folder to scan (POP3 has only the inbox). */
  folder: string;
  processedFolder: string;
  unparsedFolder: string;
  /** Seconds between polls (POP3, IMAP without IDLE) and the IDLE safety net. */
  pollSeconds: number;
  verp: string | null;
}

type Source = Record<string, unknown>;

/** Typed reads of the settings source; every failure names the setting. Provider folders parse their own settings with it (`<name>.config.ts`). */
export class Reader {
  constructor(private readonly src: Source) {}

  raw(name: string): string | undefined {
    const v = this.src[name];
    if (v === undefined || v === null || v === '') return undefined;
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  int(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      fail(name, `must be an integer between ${min} and ${max} (got "${v}")`);
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    return fail(name, `must be true or false (got "${v}")`);
  }

  list(name: string): string[] {
    return (this.raw(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  json(name: string): unknown {
    const v = this.src[name];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v);
    } catch {
      return fail(name, 'must be valid JSON');
    }
  }
}

export function fail(name: string, problem: string): never {
  throw new AppError('BOUNCER_ERR_CONFIG', `Invalid configuration: ${name} ${problem}`);
}

function parseDatabase(r: Reader): Config['database'] {
  const url = r.raw('BOUNCER_DATABASE_URL');
  const synchronous = r.string('BOUNCER_SQLITE_SYNCHRONOUS', 'FULL').toUpperCase();
  if (!['FULL', 'NORMAL', 'OFF'].includes(synchronous))
    fail('BOUNCER_SQLITE_SYNCHRONOUS', 'must be FULL, NORMAL or OFF');
  const sync = synchronous as 'FULL' | 'NORMAL' | 'OFF';
  const driver = r.string('BOUNCER_SQLITE_DRIVER', 'better-sqlite3');
  if (driver !== 'better-sqlite3' && driver !== 'node')
    fail('BOUNCER_SQLITE_DRIVER', `must be better-sqlite3 or node (got "${driver}")`);
  if (url === undefined)
    return { kind: 'sqlite', path: './data/bouncer.db', synchronous: sync, driver };
  if (/^postgres(ql)?:\/\//.test(url))
    return {
      kind: 'postgres',
      url,
      connectTimeoutMs: r.int('BOUNCER_DATABASE_CONNECT_TIMEOUT_MS', 60_000, 0),
    };
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') fail('BOUNCER_DATABASE_URL', 'names no SQLite file after "sqlite:"');
    return { kind: 'sqlite', path, synchronous: sync, driver };
  }
  return fail('BOUNCER_DATABASE_URL', 'must start with postgres://, postgresql:// or sqlite:');
}

function parseOperations(r: Reader): Pick<Config, 'metrics' | 'alerts' | 'dashboard'> {
  const token = r.raw('BOUNCER_METRICS_TOKEN') ?? null;
  if (token !== null && token.length < 16)
    fail('BOUNCER_METRICS_TOKEN', 'must be at least 16 characters');
  const url = (name: string): string | null => {
    const v = r.raw(name) ?? null;
    if (v !== null && !/^https?:\/\/[^/]+/.test(v)) fail(name, 'must be an absolute http(s) URL');
    return v;
  };
  const webhookUrl = url('BOUNCER_ALERT_WEBHOOK_URL');
  const webhookSecret = r.raw('BOUNCER_ALERT_WEBHOOK_SECRET') ?? null;
  if (webhookUrl !== null && webhookSecret === null)
    fail('BOUNCER_ALERT_WEBHOOK_SECRET', 'is required when BOUNCER_ALERT_WEBHOOK_URL is set');
  if (webhookSecret !== null) {
    const problem = checkStandardWebhookSecret(webhookSecret);
    if (problem) fail('BOUNCER_ALERT_WEBHOOK_SECRET', problem);
  }
  return {
    metrics: { token },
    alerts: {
      rules: parseAlertRules(r.json('BOUNCER_ALERTS'), (problem) =>
        fail('BOUNCER_ALERTS', problem.replace(/^BOUNCER_ALERTS /, '')),
      ),
      slackUrl: url('BOUNCER_ALERT_SLACK_URL'),
      webhookUrl,
      webhookSecret,
    },
    dashboard: { sessionTtlMs: r.int('BOUNCER_SESSION_TTL_HOURS', 12, 1, 24 * 30) * 3_600_000 },
  };
}

function parseRule(name: string, value: unknown): ReasonRule {
  if (value === 'permanent' || value === 'none') return { mode: value };
  if (
    typeof value === 'object' &&
    value !== null &&
    (value as { mode?: unknown }).mode === 'cooldown'
  ) {
    const v = value as Record<string, unknown>;
    const days = (key: string, fallback: number): number => {
      const d = v[key] ?? fallback;
      if (typeof d !== 'number' || d <= 0) fail(name, `${key} must be a positive number of days`);
      return d * MS_PER_DAY;
    };
    const after = v.permanentAfter ?? 5;
    if (typeof after !== 'number' || !Number.isInteger(after) || after < 1)
      fail(name, 'permanentAfter must be a positive integer');
    return {
      mode: 'cooldown',
      cooldownMs: days('cooldownDays', 7),
      permanentAfter: after,
      windowMs: days('windowDays', 30),
    };
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    ['permanent', 'none'].includes(String((value as { mode?: unknown }).mode))
  ) {
    return { mode: (value as { mode: 'permanent' | 'none' }).mode };
  }
  return fail(
    name,
    'must be "permanent", "none" or {"mode":"cooldown","cooldownDays":7,"permanentAfter":5,"windowDays":30}',
  );
}

function parsePolicy(r: Reader, region: string): PolicyConfig {
  const rules = { ...DEFAULT_POLICY.rules };
  const overrides = r.json('BOUNCER_POLICY');
  if (overrides !== undefined) {
    if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))
      fail('BOUNCER_POLICY', 'must be a JSON object of reason → rule');
    for (const [reason, rule] of Object.entries(overrides as Record<string, unknown>)) {
      if (!isReason(reason))
        fail('BOUNCER_POLICY', `names unknown reason "${reason}" (known: ${REASONS.join(', ')})`);
      rules[reason] = parseRule(`BOUNCER_POLICY.${reason}`, rule);
    }
  }
  const ignores =
    r.raw('BOUNCER_TRANSACTIONAL_IGNORES') === undefined
      ? [...DEFAULT_POLICY.transactionalIgnores]
      : r.list('BOUNCER_TRANSACTIONAL_IGNORES');
  for (const reason of ignores)
    if (!isReason(reason))
      fail('BOUNCER_TRANSACTIONAL_IGNORES', `names unknown reason "${reason}"`);
  const addresses: string[] = [];
  const domains: string[] = [];
  for (const entry of r.list('BOUNCER_ALLOWLIST')) {
    if (entry.includes('@') || entry.startsWith('+')) {
      const n = normaliseAddress(entry, region);
      if (!n.ok) fail('BOUNCER_ALLOWLIST', `entry "${entry}" is not a valid address: ${n.error}`);
      addresses.push(n.address);
    } else {
      const d = normaliseDomain(entry.replace(/^\*\./, ''));
      if (!d.ok) fail('BOUNCER_ALLOWLIST', `entry "${entry}" is not a valid domain: ${d.error}`);
      domains.push(d.domain);
    }
  }
  return {
    rules,
    transactionalIgnores: ignores as Reason[],
    allowlist: { addresses, domains },
    droppedSuppresses: r.bool('BOUNCER_DROPPED_SUPPRESSES', false),
    lifts: { providerLiftsComplaints: r.bool('BOUNCER_PROVIDER_LIFTS_COMPLAINTS', false) },
  };
}

/** Read the optional JSON file named by BOUNCER_CONFIG and lay the environment over it. */
export function loadSource(env: NodeJS.ProcessEnv = process.env): Source {
  const file = env.BOUNCER_CONFIG;
  let fromFile: Source = {};
  if (file) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not a JSON object');
      fromFile = parsed as Source;
    } catch (err) {
      fail(
        'BOUNCER_CONFIG',
        `file "${file}" could not be read as a JSON object: ${(err as Error).message}`,
      );
    }
  }
  return {
    ...fromFile,
    ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  };
}

export function parseConfig(source: Source): Readonly<Config> {
  const r = new Reader(source);
  const region = r.string('BOUNCER_DEFAULT_PHONE_REGION', 'US').toUpperCase();
  if (!isValidRegion(region))
    fail(
      'BOUNCER_DEFAULT_PHONE_REGION',
      `must be an ISO 3166 country code such as US or GB (got "${region}")`,
    );
  const apiKey = r.raw('BOUNCER_API_KEY') ?? null;
  if (apiKey !== null && apiKey.length < 16)
    fail('BOUNCER_API_KEY', 'must be at least 16 characters');
  const publicUrl = r.raw('BOUNCER_PUBLIC_URL') ?? null;
  if (publicUrl !== null && !/^https?:\/\/[^/]+/.test(publicUrl))
    fail('BOUNCER_PUBLIC_URL', 'must be an absolute http(s) URL');
  const urlTokens = r.list('BOUNCER_DRIP_URL_TOKEN');
  for (const t of urlTokens)
    if (t.length < 16)
      fail('BOUNCER_DRIP_URL_TOKEN', 'must be at least 16 characters (an unguessable secret)');
  const config: Config = {
    database: parseDatabase(r),
    http: {
      host: r.string('HOST', '0.0.0.0'),
      port: r.int('PORT', 8080, 0, 65_535),
      publicUrl: publicUrl?.replace(/\/+$/, '') ?? null,
      bodyLimitSingleBytes: r.int('BOUNCER_BODY_LIMIT_SINGLE_BYTES', 64 * 1024, 1_024),
      bodyLimitBatchBytes: r.int('BOUNCER_BODY_LIMIT_BATCH_BYTES', 5 * 1024 * 1024, 1_024),
      headersTimeoutMs: r.int('BOUNCER_HTTP_HEADERS_TIMEOUT_MS', 10_000, 1_000),
      requestTimeoutMs: r.int('BOUNCER_HTTP_REQUEST_TIMEOUT_MS', 600_000, 0),
      idleTimeoutMs: r.int('BOUNCER_HTTP_IDLE_TIMEOUT_MS', 30_000, 1_000),
      keepAliveTimeoutMs: r.int('BOUNCER_HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100),
      maxConnections: r.int('BOUNCER_HTTP_MAX_CONNECTIONS', 1_000, 1),
      trustProxy: parseTrustProxy(r.raw('BOUNCER_TRUST_PROXY')),
      rateLimits: {
        authFailures: r.int('BOUNCER_RATE_LIMIT_AUTH_FAILURES', 30, 1),
        signIns: r.int('BOUNCER_RATE_LIMIT_SIGN_INS', 10, 1),
        notFound: r.int('BOUNCER_RATE_LIMIT_NOT_FOUND', 120, 1),
      },
    },
    logLevel: r.string('BOUNCER_LOG_LEVEL', 'info'),
    apiKey,
    defaultPhoneRegion: region,
    policy: parsePolicy(r, region),
    drip: { secrets: r.list('BOUNCER_DRIP_SECRET'), urlTokens },
    sendgrid: {
      publicKeys: r.list('BOUNCER_SENDGRID_PUBLIC_KEY'),
      maxAgeSeconds:
        r.raw('BOUNCER_SENDGRID_MAX_AGE_SECONDS') === undefined
          ? undefined
          : r.int('BOUNCER_SENDGRID_MAX_AGE_SECONDS', 0, 1),
    },
    ses: {
      topicArns: r.list('BOUNCER_SES_TOPIC_ARNS'),
      certFiles: r.list('BOUNCER_SNS_CERT_FILES'),
    },
    twilio: {
      authTokens: r.list('BOUNCER_TWILIO_AUTH_TOKEN'),
      errorCodes:
        r.raw('BOUNCER_TWILIO_ERROR_CODES') === undefined
          ? {}
          : parseTwilioErrorCodeOverrides(r.raw('BOUNCER_TWILIO_ERROR_CODES') ?? '{}'),
    },
    inboxroad: { urlTokens: r.list('BOUNCER_INBOXROAD_URL_TOKEN') },
    sparkpost: parseSparkpostConfig(r),
    brevo: parseBrevoConfig(r),
    mailjet: parseMailjetConfig(r),
    mailgun: parseMailgunConfig(r),
    postmark: parsePostmarkConfig(r),
    standardWebhooks: parseStandardWebhooksConfig(r),
    mandrill: parseMandrillConfig(r, publicUrl?.replace(/\/+$/, '') ?? null),
    mailersend: parseMailersendConfig(r),
    postal: parsePostalConfig(r),
    mailtrap: parseMailtrapConfig(r),
    unisenderGo: parseUnisenderGoConfig(r),
    smtp2go: parseSmtp2goConfig(r),
    elasticEmail: parseElasticEmailConfig(r),
    sesEventBridge: parseSesEventBridgeConfig(r),
    vonage: parseVonageConfig(r),
    plivo: parsePlivoConfig(r),
    telnyx: parseTelnyxConfig(r),
    messagebird: parseMessageBirdConfig(r),
    sinch: parseSinchConfig(r),
    infobip: parseInfobipConfig(r),
    awsSms: parseAwsSmsConfig(r),
    ...parseConsent(r),
    worker: {
      enabled: r.bool('BOUNCER_WORKER', true),
      batchSize: r.int('BOUNCER_WORKER_BATCH_SIZE', 500, 1, 10_000),
      batchDelayMs: r.int('BOUNCER_WORKER_BATCH_DELAY_MS', 50, 0, 10_000),
      sliceMs: r.int('BOUNCER_WORKER_SLICE_MS', 10, 0, 10_000),
      pollIntervalMs: r.int('BOUNCER_WORKER_POLL_MS', 500, 10),
      maxAttempts: r.int('BOUNCER_RETRY_MAX_ATTEMPTS', 8, 1, 100),
      retryBaseMs: r.int('BOUNCER_RETRY_BASE_MS', 1_000, 1),
      retryMaxMs: r.int('BOUNCER_RETRY_MAX_MS', 15 * 60_000, 1),
      leaseMs: r.int('BOUNCER_LEASE_MS', 60_000, 1_000),
      retentionDays: r.int('BOUNCER_DELIVERY_RETENTION_DAYS', 30, 1),
      eventRetentionDays: r.int('BOUNCER_EVENT_RETENTION_DAYS', 0, 0),
    },
    shutdownTimeoutMs: r.int('BOUNCER_SHUTDOWN_TIMEOUT_MS', 10_000, 0),
    ...parseOperations(r),
    outbound: parseOutbound(r, fail),
    sync: parseSync(r, fail),
    bounceMail: {
      bodyLimitBytes: r.int('BOUNCER_BOUNCE_MAIL_BODY_LIMIT_BYTES', 10 * 1024 * 1024, 1_024),
      verp: parseVerp('BOUNCER_BOUNCE_MAIL_VERP', r.raw('BOUNCER_BOUNCE_MAIL_VERP')),
      offloadBytes: r.int('BOUNCER_BOUNCE_MAIL_OFFLOAD_BYTES', 64 * 1024, 0),
      parseThreads: r.int('BOUNCER_PARSE_THREADS', 2, 1, 64),
    },
    mailboxes: parseMailboxes(r),
    smtp: parseSmtpReceiver(r),
  };
  if (config.twilio.authTokens.length > 0 && config.http.publicUrl === null) {
    fail(
      'BOUNCER_PUBLIC_URL',
      'is required when BOUNCER_TWILIO_AUTH_TOKEN is set (Twilio signs the public URL it calls)',
    );
  }
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) {
    fail('BOUNCER_LOG_LEVEL', 'must be one of fatal, error, warn, info, debug, trace, silent');
  }
  return deepFreeze(config);
}

function parseSmtpReceiver(r: Reader): SmtpReceiverConfig {
  const listen = r.raw('BOUNCER_SMTP_LISTEN');
  let parsed: SmtpReceiverConfig['listen'] = null;
  if (listen !== undefined) {
    const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(listen);
    const port = Number(m?.[2]);
    if (!m?.[1] || !(port >= 0 && port <= 65_535))
      fail('BOUNCER_SMTP_LISTEN', 'must be host:port, e.g. 0.0.0.0:25');
    parsed = { host: m[1], port };
  }
  const domains = r.list('BOUNCER_SMTP_DOMAINS').map((d) => {
    const n = normaliseDomain(d);
    if (!n.ok) fail('BOUNCER_SMTP_DOMAINS', `"${d}" is not a domain: ${n.error}`);
    return n.domain;
  });
  const cert = r.raw('BOUNCER_SMTP_TLS_CERT') ?? null;
  const key = r.raw('BOUNCER_SMTP_TLS_KEY') ?? null;
  if ((cert === null) !== (key === null))
    fail('BOUNCER_SMTP_TLS_CERT', 'and BOUNCER_SMTP_TLS_KEY must be set together');
  return {
    listen: parsed,
    domains,
    tlsCertFile: cert,
    tlsKeyFile: key,
    maxConnectionsPerIp: r.int('BOUNCER_SMTP_MAX_CONNECTIONS_PER_IP', 10, 1, 10_000),
    connectionsPerIpPerMinute: r.int(
      'BOUNCER_SMTP_CONNECTIONS_PER_IP_PER_MINUTE',
      120,
      1,
      1_000_000,
    ),
  };
}

function parseConsent(r: Reader): Pick<Config, 'unsubscribe' | 'brand' | 'privacy'> {
  const secrets = r.list('BOUNCER_UNSUBSCRIBE_SECRETS');
  for (const s of secrets)
    if (s.length < 16)
      fail('BOUNCER_UNSUBSCRIBE_SECRETS', 'each secret needs at least 16 characters');
  const mailDomain = r.raw('BOUNCER_UNSUBSCRIBE_MAIL_DOMAIN') ?? null;
  if (mailDomain !== null && !/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(mailDomain))
    fail('BOUNCER_UNSUBSCRIBE_MAIL_DOMAIN', 'must be a domain name such as example.com');
  const logoUrl = r.raw('BOUNCER_BRAND_LOGO_URL') ?? null;
  if (logoUrl !== null && !/^https?:\/\/[^/]+/.test(logoUrl))
    fail('BOUNCER_BRAND_LOGO_URL', 'must be an absolute http(s) URL');
  const color = r.string('BOUNCER_BRAND_COLOR', '#1f6feb');
  if (!/^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(color))
    fail('BOUNCER_BRAND_COLOR', 'must be a hex colour such as #1f6feb');
  const mode = r.string('BOUNCER_PRIVACY_MODE', 'plain');
  if (mode !== 'plain' && mode !== 'hashed')
    fail('BOUNCER_PRIVACY_MODE', 'must be plain or hashed');
  const pepper = r.raw('BOUNCER_ADDRESS_PEPPER') ?? null;
  if (pepper !== null && pepper.length < 16)
    fail('BOUNCER_ADDRESS_PEPPER', 'must be at least 16 characters');
  if (mode === 'hashed' && pepper === null)
    fail('BOUNCER_ADDRESS_PEPPER', 'is required when BOUNCER_PRIVACY_MODE=hashed');
  return {
    unsubscribe: { secrets, mailDomain: mailDomain?.toLowerCase() ?? null },
    brand: { name: r.string('BOUNCER_BRAND_NAME', 'Bouncer'), logoUrl, color },
    privacy: { mode, pepper },
  };
}

/** `BOUNCER_TRUST_PROXY`: off by default, since a trusted X-Forwarded-For sets request.ip. */
function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  const v = value?.trim() ?? '';
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of list)
    if (!/^[0-9a-f.:]+(\/\d{1,3})?$/i.test(entry))
      fail(
        'BOUNCER_TRUST_PROXY',
        `must be true, false, a hop count or addresses/CIDRs (got "${entry}")`,
      );
  return list;
}

function parseVerp(name: string, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (
    typeof value !== 'string' ||
    !value.includes('{local}') ||
    !value.includes('{domain}') ||
    !value.includes('@')
  ) {
    fail(
      name,
      'must be an address pattern containing {local} and {domain}, e.g. bounces+{local}={domain}@example.com',
    );
  }
  return value;
}

const MAILBOX_KEYS = [
  'name',
  'protocol',
  'host',
  'port',
  'tls',
  'rejectUnauthorized',
  'user',
  'passwordEnv',
  'folder',
  'processedFolder',
  'unparsedFolder',
  'pollSeconds',
  'verp',
];

function parseMailbox(r: Reader, value: unknown, index: number, names: Set<string>): MailboxConfig {
  const at = `BOUNCER_MAILBOXES[${index}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(at, 'must be a JSON object');
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v))
    if (!MAILBOX_KEYS.includes(key))
      fail(`${at}.${key}`, `is not a mailbox setting (known: ${MAILBOX_KEYS.join(', ')})`);
  const text = (key: string, fallback?: string): string => {
    const s = v[key] ?? fallback;
    if (typeof s !== 'string' || s.trim() === '')
      fail(`${at}.${key}`, 'must be a non-empty string');
    return s.trim();
  };
  const name = text('name');
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name))
    fail(`${at}.name`, 'must be 1-64 letters, digits, "_", "." or "-"');
  if (names.has(name)) fail(`${at}.name`, `"${name}" is used by another mailbox`);
  names.add(name);
  const protocol = v.protocol;
  if (protocol !== 'imap' && protocol !== 'pop3')
    fail(`${at}.protocol`, 'must be "imap" or "pop3"');
  const tls = v.tls ?? true;
  if (tls !== true && tls !== false && tls !== 'starttls')
    fail(`${at}.tls`, 'must be true, false or "starttls"');
  const defaultPort = protocol === 'imap' ? (tls === true ? 993 : 143) : tls === true ? 995 : 110;
  const port = v.port ?? defaultPort;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535)
    fail(`${at}.port`, 'must be an integer between 1 and 65535');
  const pollSeconds = v.pollSeconds ?? 60;
  if (typeof pollSeconds !== 'number' || !(pollSeconds >= 1) || pollSeconds > 86_400)
    fail(`${at}.pollSeconds`, 'must be a number of seconds between 1 and 86400');
  const rejectUnauthorized = v.rejectUnauthorized ?? true;
  if (typeof rejectUnauthorized !== 'boolean')
    fail(`${at}.rejectUnauthorized`, 'must be true or false');
  const passwordEnv = text('passwordEnv');
  const password = r.raw(passwordEnv);
  if (password === undefined)
    fail(`${at}.passwordEnv`, `names the environment variable ${passwordEnv}, which is not set`);
  return {
    name,
    protocol,
    host: text('host'),
    port,
    tls,
    rejectUnauthorized,
    user: text('user'),
    password,
    folder: text('folder', 'INBOX'),
    processedFolder: text('processedFolder', 'Processed'),
    unparsedFolder: text('unparsedFolder', 'Unparsed'),
    pollSeconds,
    verp: parseVerp(`${at}.verp`, v.verp),
  };
}

function parseMailboxes(r: Reader): MailboxConfig[] {
  const list = r.json('BOUNCER_MAILBOXES');
  if (list === undefined) return [];
  if (!Array.isArray(list)) fail('BOUNCER_MAILBOXES', 'must be a JSON array of mailbox objects');
  const names = new Set<string>();
  return list.map((m, i) => parseMailbox(r, m, i, names));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  return parseConfig(loadSource(env));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
