import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What an unsubscribe token says: whom, in which scope, since when (and for which campaign).
 * Self-contained: verifying it needs the secrets only, no database read, so a one-click POST
 * (RFC 8058) is answered without touching storage before the delivery is queued.
 */
export interface UnsubscribeClaims {
  /** Normalised address. */
  address: string;
  channel: 'email' | 'sms';
  /** `*` or an unsubscribe group id. */
  scope: string;
  /** Epoch seconds when the link was made. */
  issuedAt: number;
  campaign: string | null;
}

/** 128 bits of HMAC-SHA256: enough against forgery (NIST SP 800-107 §5.3.4), half the length. */
const MAC_BYTES = 16;
/** Tokens longer than this are refused before any work (an address is at most 320 octets). */
export const MAX_TOKEN_LENGTH = 1_024;

function mac(secret: string, payload: string, purpose = 'unsubscribe'): Buffer {
  return createHmac('sha256', secret)
    .update(purpose)
    .update('\u0000')
    .update(payload)
    .digest()
    .subarray(0, MAC_BYTES);
}

/** `base64url(JSON payload)` + `.` + `base64url(MAC)`, signed with the first secret. */
export function signUnsubscribeToken(secret: string, claims: UnsubscribeClaims): string {
  const compact: Record<string, unknown> = {
    a: claims.address,
    s: claims.scope,
    t: claims.issuedAt,
  };
  if (claims.channel !== 'email') compact.h = claims.channel;
  if (claims.campaign !== null) compact.c = claims.campaign;
  const payload = Buffer.from(JSON.stringify(compact)).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export type TokenCheck = { ok: true; claims: UnsubscribeClaims } | { ok: false; reason: string };

/** Verify against every configured secret (rotation); constant-time on equal-length MACs. */
export function verifyUnsubscribeToken(secrets: readonly string[], token: string): TokenCheck {
  if (secrets.length === 0) return { ok: false, reason: 'no unsubscribe secret configured' };
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH)
    return { ok: false, reason: 'token length out of range' };
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed token' };
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  if (given.length !== MAC_BYTES) return { ok: false, reason: 'malformed token MAC' };
  let matched = false;
  for (const s of secrets) if (timingSafeEqual(mac(s, payload), given)) matched = true;
  if (!matched) return { ok: false, reason: 'token MAC does not match any secret' };
  return decodeClaims(payload);
}

function decodeClaims(payload: string): TokenCheck {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'token payload is not JSON' };
  }
  if (typeof raw !== 'object' || raw === null) return { ok: false, reason: 'bad payload' };
  const { a, s, t, c, h } = raw as Record<string, unknown>;
  if (typeof a !== 'string' || typeof s !== 'string' || typeof t !== 'number')
    return { ok: false, reason: 'token payload lacks address, scope or time' };
  if (c !== undefined && typeof c !== 'string') return { ok: false, reason: 'bad campaign' };
  if (h !== undefined && h !== 'sms') return { ok: false, reason: 'bad channel' };
  return {
    ok: true,
    claims: { address: a, scope: s, issuedAt: t, campaign: c ?? null, channel: h ?? 'email' },
  };
}

/**
 * The nonce a preference form carries: bound to the token, so a form can only act for the
 * recipient whose link rendered it. Not a substitute for the token (which already authorises);
 * it keeps a forged cross-site form from choosing scopes for a token it saw in a Referer.
 */
export function formNonce(secret: string, token: string): string {
  return mac(secret, token, 'preferences-form').toString('base64url');
}

export function verifyFormNonce(secrets: readonly string[], token: string, nonce: string): boolean {
  const given = Buffer.from(nonce, 'base64url');
  if (given.length !== MAC_BYTES) return false;
  let ok = false;
  for (const s of secrets) if (timingSafeEqual(mac(s, token, 'preferences-form'), given)) ok = true;
  return ok;
}
