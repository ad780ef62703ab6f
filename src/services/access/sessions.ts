import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { Db } from '../../storage/database.js';
import {
  deleteSession,
  findLiveSession,
  insertSession,
  pruneSessions,
} from '../../storage/repositories/session.repository.js';
import { hashKey, type ApiKeyService, type KeyScope, type Principal } from './api-keys.js';

const hashId = (id: string): string => createHash('sha256').update(id).digest('hex');

export interface Session {
  principal: Principal;
  csrf: string;
  expiresAt: number;
}

/**
 * Dashboard sessions: signing in with an API key creates a random session id (only its SHA-256
 * is stored) that carries the key's scope, and a per-session CSRF token the dashboard sends
 * back on every state-changing request.
 */
export class SessionService {
  constructor(
    private readonly deps: { db: Db; clock: Clock; apiKeys: ApiKeyService; ttlMs: number },
  ) {}

  /** A new session for a valid key, or null (the caller answers with the uniform 401). */
  async signIn(key: string): Promise<(Session & { id: string }) | null> {
    const principal = await this.deps.apiKeys.authenticate(key);
    if (!principal) return null;
    const now = this.deps.clock.now();
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const expiresAt = now + this.deps.ttlMs;
    await insertSession(this.deps.db.kysely, {
      id_hash: hashId(id),
      key_id: principal.keyId,
      key_name: principal.name,
      scope: principal.scope,
      csrf_token: csrf,
      created_at: now,
      expires_at: expiresAt,
      key_hash: hashKey(key),
    });
    return { id, principal, csrf, expiresAt };
  }

  async authenticate(id: string): Promise<Session | null> {
    if (id.length < 20 || id.length > 100) return null;
    const row = await findLiveSession(this.deps.db.kysely, hashId(id), this.deps.clock.now());
    if (!row) return null;
    // The bootstrap key has no row to revoke: its sessions live only while BOUNCER_API_KEY
    // still holds the key they were opened with (rotating or unsetting it ends them).
    if (
      row.key_id === 'env' &&
      (row.key_hash === null || row.key_hash !== this.deps.apiKeys.bootstrapKeyHash)
    )
      return null;
    return {
      principal: { keyId: row.key_id, name: row.key_name, scope: row.scope as KeyScope },
      csrf: row.csrf_token,
      expiresAt: Number(row.expires_at),
    };
  }

  signOut(id: string): Promise<void> {
    return deleteSession(this.deps.db.kysely, hashId(id));
  }

  prune(): Promise<number> {
    return pruneSessions(this.deps.db.kysely, this.deps.clock.now());
  }
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(expected: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
