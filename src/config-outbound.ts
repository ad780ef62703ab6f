import { checkStandardWebhookSecret } from './core/standard-webhooks.js';
import { CHANGE_EVENT_TYPES, type ChangeEventType } from './core/change-events.js';

/** One subscription to signed change events, from BOUNCER_OUTBOUND_WEBHOOKS. */
export interface OutboundWebhookConfig {
  url: string;
  secret: string;
  /** null = every change event type. */
  events: ChangeEventType[] | null;
}

export interface OutboundConfig {
  webhooks: OutboundWebhookConfig[];
  /** BOUNCER_OUTBOUND_ALLOW_PRIVATE: deliver to loopback/private/link-local addresses too. */
  allowPrivate: boolean;
  retryBaseMs: number;
  retryMaxMs: number;
  /** A delivery still failing this long after its change is dead. */
  giveUpMs: number;
  pollIntervalMs: number;
  /** How long a claimed delivery stays with its sender (a killed instance's claims come back after it). */
  leaseMs: number;
  /** How often the worker looks for cool-downs that ended (suppression.expired). */
  expirySweepMs: number;
}

interface OutboundReader {
  json(name: string): unknown;
  int(name: string, fallback: number, min?: number, max?: number): number;
  bool(name: string, fallback: boolean): boolean;
}

type Fail = (name: string, problem: string) => never;

/** Validate one subscription (config or API): http(s) URL, usable secret, known event types. */
export function checkOutboundWebhook(value: unknown): OutboundWebhookConfig | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'must be an object with url and secret';
  const v = value as Record<string, unknown>;
  if (typeof v.url !== 'string') return 'url must be a string';
  let url: URL;
  try {
    url = new URL(v.url);
  } catch {
    return 'url must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return 'url must be an absolute http(s) URL';
  if (url.username || url.password) return 'url must not carry credentials';
  if (typeof v.secret !== 'string') return 'secret must be a whsec_ string';
  const problem = checkStandardWebhookSecret(v.secret);
  if (problem) return `secret ${problem}`;
  let events: ChangeEventType[] | null = null;
  if (v.events !== undefined && v.events !== null) {
    if (!Array.isArray(v.events) || v.events.length === 0)
      return 'events must be a non-empty array';
    for (const e of v.events)
      if (!CHANGE_EVENT_TYPES.includes(e as ChangeEventType))
        return `events: unknown type ${JSON.stringify(e)} (known: ${CHANGE_EVENT_TYPES.join(', ')})`;
    events = [...new Set(v.events as ChangeEventType[])];
  }
  return { url: url.toString(), secret: v.secret, events };
}

export function parseOutbound(r: OutboundReader, fail: Fail): OutboundConfig {
  const raw = r.json('BOUNCER_OUTBOUND_WEBHOOKS') ?? [];
  if (!Array.isArray(raw)) fail('BOUNCER_OUTBOUND_WEBHOOKS', 'must be a JSON array');
  const webhooks = (raw as unknown[]).map((w, i) => {
    const checked = checkOutboundWebhook(w);
    if (typeof checked === 'string') return fail('BOUNCER_OUTBOUND_WEBHOOKS', `[${i}] ${checked}`);
    return checked;
  });
  return {
    webhooks,
    allowPrivate: r.bool('BOUNCER_OUTBOUND_ALLOW_PRIVATE', false),
    retryBaseMs: r.int('BOUNCER_OUTBOUND_RETRY_BASE_MS', 10_000, 1),
    retryMaxMs: r.int('BOUNCER_OUTBOUND_RETRY_MAX_MS', 3_600_000, 1),
    giveUpMs: r.int('BOUNCER_OUTBOUND_GIVE_UP_HOURS', 24, 1) * 3_600_000,
    pollIntervalMs: r.int('BOUNCER_OUTBOUND_POLL_MS', 1_000, 10),
    leaseMs: r.int('BOUNCER_OUTBOUND_LEASE_MS', 30_000, 1_000),
    expirySweepMs: r.int('BOUNCER_OUTBOUND_EXPIRY_SWEEP_MS', 60_000, 100),
  };
}
