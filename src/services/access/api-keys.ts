import { createHash, randomBytes } from 'node:crypto';
import { isoTime, type Clock } from '../../core/clock.js';
import { AppError, validationError } from '../../core/errors.js';
import type { Db } from '../../storage/database.js';
import { newId } from '../../storage/ids.js';
import {
  findApiKeyByHash,
  hasActiveApiKey,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  touchApiKey,
} from '../../storage/repositories/api-key.repository.js';

export const KEY_SCOPES = ['read', 'write', 'admin'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];
const RANK: Record<KeyScope, number> = { read: 1, write: 2, admin: 3 };

export interface Principal {
  keyId: string;
  name: string;
  scope: KeyScope;
}

export function scopeAllows(have: KeyScope, need: KeyScope): boolean {
  return RANK[have] >= RANK[need];
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** How to make the first key; works in a checkout without `npm link` (the package's own bin). */
export const CREATE_ADMIN_KEY_COMMAND = 'npx bouncer keys create --scope admin';

const CACHE_TTL_MS = 10_000;
const TOUCH_INTERVAL_MS = 60_000;

/**
 * API keys are stored as SHA-256 hashes; the plain key is shown once at creation. Lookups are
 * cached for 10 s (so a revocation takes effect within that) and last-used times are written at
 * most once a minute per key, keeping the check path free of writes.
 */
export class ApiKeyService {
  private readonly cache = new Map<string, { principal: Principal | null; at: number }>();
  private readonly touched = new Map<string, number>();
  private readonly bootstrapHash: string | null;

  constructor(private readonly deps: { db: Db; clock: Clock; bootstrapKey: string | null }) {
    this.bootstrapHash = deps.bootstrapKey ? hashKey(deps.bootstrapKey) : null;
  }

  async create(
    name: string,
    scope: string,
  ): Promise<{ id: string; key: string; name: string; scope: KeyScope }> {
    if (!(KEY_SCOPES as readonly string[]).includes(scope))
      throw validationError('scope', `must be one of ${KEY_SCOPES.join(', ')}`);
    const now = this.deps.clock.now();
    const key = `bnc_${randomBytes(24).toString('base64url')}`;
    const id = newId(now);
    await insertApiKey(this.deps.db.kysely, {
      id,
      name: name || scope,
      key_hash: hashKey(key),
      prefix: key.slice(0, 8),
      scope,
      created_at: now,
      last_used_at: null,
      revoked_at: null,
    });
    return { id, key, name: name || scope, scope: scope as KeyScope };
  }

  async list(): Promise<
    Array<{
      id: string;
      name: string;
      prefix: string;
      scope: string;
      created_at: string;
      last_used_at: string | null;
      revoked_at: string | null;
    }>
  > {
    const iso = (v: number | null): string | null => (v === null ? null : isoTime(v));
    return (await listApiKeys(this.deps.db.kysely)).map((k) => ({
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      scope: k.scope,
      created_at: iso(Number(k.created_at))!,
      last_used_at: iso(k.last_used_at),
      revoked_at: iso(k.revoked_at),
    }));
  }

  /** Whether anyone can sign in at all: BOUNCER_API_KEY is set or a stored key is active. */
  async configured(): Promise<boolean> {
    return this.bootstrapHash !== null || (await hasActiveApiKey(this.deps.db.kysely));
  }

  async revoke(id: string): Promise<void> {
    if (!(await revokeApiKey(this.deps.db.kysely, id, this.deps.clock.now())))
      throw new AppError('BOUNCER_ERR_NOT_FOUND', `no active key with id ${id}`);
    this.cache.clear();
  }

  /** SHA-256 of `BOUNCER_API_KEY` as configured now (null when unset). */
  get bootstrapKeyHash(): string | null {
    return this.bootstrapHash;
  }

  /** The principal for a presented key, or null. Never says why a key was refused. */
  async authenticate(key: string): Promise<Principal | null> {
    const hash = hashKey(key);
    if (this.bootstrapHash !== null && hash === this.bootstrapHash)
      return { keyId: 'env', name: 'BOUNCER_API_KEY', scope: 'admin' };
    const now = this.deps.clock.now();
    const cached = this.cache.get(hash);
    if (cached && now - cached.at < CACHE_TTL_MS) return cached.principal;
    const row = await findApiKeyByHash(this.deps.db.kysely, hash);
    const principal =
      row && row.revoked_at === null
        ? { keyId: row.id, name: row.name, scope: row.scope as KeyScope }
        : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, at: now });
    if (principal && now - (this.touched.get(principal.keyId) ?? 0) >= TOUCH_INTERVAL_MS) {
      this.touched.set(principal.keyId, now);
      await touchApiKey(this.deps.db.kysely, principal.keyId, now);
    }
    return principal;
  }
}
