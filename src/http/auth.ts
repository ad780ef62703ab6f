import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../core/errors.js';
import {
  scopeAllows,
  type ApiKeyService,
  type KeyScope,
  type Principal,
} from '../services/access/api-keys.js';
import { csrfMatches, type SessionService } from '../services/access/sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Dashboard sessions, decorated by buildApp so requireScope accepts the session cookie. */
    dashboardSessions: SessionService | null;
  }
}

export const SESSION_COOKIE = 'bouncer_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session id from the Cookie header, if any. */
export function sessionCookie(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      // Session ids are base64url: anything else (a malformed `%` escape included, which
      // decodeURIComponent throws on) is no session, hence the uniform 401, never a 500.
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : null;
    }
  }
  return null;
}

/**
 * A dashboard session's principal, when the request carries no Authorization header but a live
 * session cookie. State-changing requests must also echo the session's CSRF token.
 */
async function sessionPrincipal(request: FastifyRequest): Promise<Principal | null> {
  const sessions = request.server.dashboardSessions;
  const id = sessionCookie(request.headers.cookie);
  if (!sessions || !id) return null;
  const session = await sessions.authenticate(id);
  if (!session) return null;
  const token = request.headers[CSRF_HEADER];
  if (
    !SAFE_METHODS.has(request.method) &&
    !csrfMatches(session.csrf, typeof token === 'string' ? token : undefined)
  ) {
    request.log.info({ reason: 'csrf token missing or wrong' }, 'dashboard request refused');
    throw new AppError(
      'BOUNCER_ERR_FORBIDDEN',
      'The dashboard request lacks its CSRF token; reload the page',
    );
  }
  return session.principal;
}

/** The key from `Authorization: Bearer KEY` or HTTP Basic with the key as the password. */
export function presentedKey(header: string | undefined): string | null {
  if (!header) return null;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer?.[1]) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const password = colon === -1 ? decoded : decoded.slice(colon + 1);
    return password || null;
  }
  return null;
}

/**
 * A preHandler that admits keys (or dashboard sessions, which carry their key's scope) with at
 * least `scope`. Every authentication failure (missing,
 * malformed, unknown or revoked key) is the same 401; a valid key lacking the scope is a 403.
 */
export function requireScope(keys: ApiKeyService, scope: KeyScope): preHandlerAsyncHookHandler {
  const handler = async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const key = presentedKey(request.headers.authorization);
    const principal = key
      ? await keys.authenticate(key)
      : request.headers.authorization
        ? null
        : await sessionPrincipal(request);
    if (!principal) {
      request.log.info(
        { reason: key ? 'unknown or revoked key' : 'no valid credentials or session' },
        'authentication failed',
      );
      throw new AppError('BOUNCER_ERR_UNAUTHORIZED');
    }
    if (!scopeAllows(principal.scope, scope))
      throw new AppError(
        'BOUNCER_ERR_FORBIDDEN',
        `This API key has scope ${principal.scope}; ${scope} is required`,
      );
    request.principal = principal;
  };
  return Object.assign(handler, { [REQUIRED_SCOPE]: scope });
}

const REQUIRED_SCOPE = Symbol('bouncer.requiredScope');

/**
 * The scope a route's preHandler demands, or null for a public route (or one that a provider's
 * signature authenticates). The OpenAPI document reads it, so its `security` is the real one.
 */
export function requiredScopeOf(preHandler: unknown): KeyScope | null {
  for (const h of Array.isArray(preHandler) ? preHandler : [preHandler]) {
    const scope = (h as { [REQUIRED_SCOPE]?: KeyScope } | null | undefined)?.[REQUIRED_SCOPE];
    if (scope) return scope;
  }
  return null;
}
