import { fail, type Reader } from '../../config.js';

/** What a Standard Webhooks sender posts: Resend's events, Loops' events, or Bouncer's generic event. */
export const STANDARD_FORMATS = ['resend', 'loops', 'generic'] as const;
export type StandardFormat = (typeof STANDARD_FORMATS)[number];

export interface StandardSender {
  /** Route `/webhooks/standard/<name>`, stored as the events' provider. */
  name: string;
  format: StandardFormat;
  /** `whsec_…` secrets, several during a rotation. */
  secrets: string[];
}

export interface StandardWebhooksConfig {
  /** Resend's signing secrets (`BOUNCER_RESEND_WEBHOOK_SECRETS`) for `/webhooks/resend`. */
  resendSecrets: string[];
  /** Other senders (`BOUNCER_STANDARD_WEBHOOKS`, JSON `{"name": {"format", "secrets"}}`). */
  senders: StandardSender[];
  /** Accepted distance of `webhook-timestamp` from now, seconds (`BOUNCER_STANDARD_WEBHOOKS_TOLERANCE_SECONDS`). */
  toleranceSeconds: number;
}

/** The Standard Webhooks specification's (and its libraries') tolerance: 5 minutes. */
export const STANDARD_TOLERANCE_SECONDS = 300;
const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

/** A `whsec_` (or bare base64) secret of 24-64 bytes; null when it is not one. */
export function secretKeyBytes(secret: string): Buffer | null {
  const b64 = secret.replace(/^whsec_/, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  const key = Buffer.from(b64, 'base64');
  return key.length >= MIN_KEY_BYTES && key.length <= MAX_KEY_BYTES ? key : null;
}

function checkSecrets(setting: string, secrets: string[]): string[] {
  for (const s of secrets)
    if (secretKeyBytes(s) === null)
      fail(
        setting,
        `must be whsec_ followed by ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} base64-encoded bytes`,
      );
  return secrets;
}

function parseSenders(r: Reader): StandardSender[] {
  const raw = r.json('BOUNCER_STANDARD_WEBHOOKS');
  if (raw === undefined) return [];
  const setting = 'BOUNCER_STANDARD_WEBHOOKS';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    fail(setting, 'must be a JSON object of sender name → {"format", "secrets"}');
  return Object.entries(raw as Record<string, unknown>).map(([name, value]) => {
    const at = `${setting}.${name}`;
    if (!NAME.test(name)) fail(at, 'the name must be 1-32 lower-case letters, digits, "_" or "-"');
    if (typeof value !== 'object' || value === null) fail(at, 'must be {"format", "secrets"}');
    const v = value as Record<string, unknown>;
    const format = v.format ?? 'generic';
    if (typeof format !== 'string' || !(STANDARD_FORMATS as readonly string[]).includes(format))
      fail(`${at}.format`, `must be one of ${STANDARD_FORMATS.join(', ')}`);
    const list = Array.isArray(v.secrets)
      ? v.secrets
      : typeof v.secrets === 'string'
        ? v.secrets.split(',')
        : [];
    const secrets = list.map((s) => (typeof s === 'string' ? s.trim() : '')).filter(Boolean);
    if (secrets.length === 0) fail(`${at}.secrets`, 'needs at least one whsec_ secret');
    return {
      name,
      format: format as StandardFormat,
      secrets: checkSecrets(`${at}.secrets`, secrets),
    };
  });
}

export function parseStandardWebhooksConfig(r: Reader): StandardWebhooksConfig {
  return {
    resendSecrets: checkSecrets(
      'BOUNCER_RESEND_WEBHOOK_SECRETS',
      r.list('BOUNCER_RESEND_WEBHOOK_SECRETS'),
    ),
    senders: parseSenders(r),
    toleranceSeconds: r.int(
      'BOUNCER_STANDARD_WEBHOOKS_TOLERANCE_SECONDS',
      STANDARD_TOLERANCE_SECONDS,
      1,
      86_400,
    ),
  };
}
