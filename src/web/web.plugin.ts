import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../services/container.js';
import { AppError } from '../core/errors.js';
import { CSRF_HEADER, SESSION_COOKIE, sessionCookie } from '../http/auth.js';
import { csrfMatches } from '../services/access/sessions.js';

/** Where `npm run build:web` puts the bundle: next to this file in dev, the source tree once compiled. */
const ASSET_DIRS = [
  new URL('./dist/', import.meta.url),
  new URL('../../src/web/dist/', import.meta.url),
].map((u) => fileURLToPath(u));

/** The dashboard's icon, served at /favicon.svg and /favicon.ico so no browser meets a 404. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1f3a5f"/><path d="M9 7h8.5a5 5 0 0 1 2.6 9.3A5.5 5.5 0 0 1 18 27H9z" fill="#fff"/><circle cx="16" cy="13" r="2" fill="#1f3a5f"/><circle cx="16" cy="20.5" r="2.3" fill="#1f3a5f"/></svg>';

const SessionBody = Type.Object({
  signed_in: Type.Literal(true),
  name: Type.String(),
  scope: Type.String(),
  csrf: Type.String(),
  expires_at: Type.String({ format: 'date-time' }),
});

export function dashboardAssetDir(): string | null {
  return ASSET_DIRS.find((d) => existsSync(`${d}index.html`)) ?? null;
}

function setCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  value: string,
  maxAgeSeconds: number,
  httpsSite: boolean,
): void {
  // Secure whenever the browser reached us over https (directly or through a proxy that says so).
  const secure = request.protocol === 'https' || httpsSite ? '; Secure' : '';
  void reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`,
  );
}

/**
 * The dashboard: static files (lit + uPlot, bundled at build time, no CDN) and its session
 * endpoints. Signing in exchanges an API key for an HttpOnly, SameSite=Strict session cookie; the
 * dashboard then calls the /v1 API with that cookie and its CSRF token.
 */
export async function webPlugin(
  parent: FastifyInstance,
  { services, root: rootDir }: { services: Services; root?: string | undefined },
): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const httpsSite = services.config.http.publicUrl?.startsWith('https://') ?? false;
  const noStore = (reply: FastifyReply): FastifyReply => reply.header('cache-control', 'no-store');
  // The dashboard loads nothing from elsewhere and is never framed (clickjacking on the
  // unsuppress button): a strict policy costs nothing.
  app.addHook('onSend', async (_request, reply) => {
    void reply.headers({
      'content-security-policy':
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
  });

  app.post('/dashboard/api/session', {
    schema: {
      tags: ['dashboard'],
      summary: 'Sign in to the dashboard with an API key',
      body: Type.Object({ key: Type.String({ minLength: 1, maxLength: 500 }) }),
    },
    config: {
      openapi: {
        responses: {
          200: { description: 'Signed in; the session cookie is set', schema: SessionBody },
          401: 'The key is unknown or revoked (always this same answer)',
        },
      },
    },
    handler: async (request, reply) => {
      const session = await services.sessions.signIn(request.body.key);
      if (!session) {
        request.log.info({ reason: 'unknown or revoked key' }, 'dashboard sign-in failed');
        throw new AppError('BOUNCER_ERR_UNAUTHORIZED');
      }
      setCookie(
        reply,
        request,
        session.id,
        Math.floor((session.expiresAt - services.clock.now()) / 1_000),
        httpsSite,
      );
      return noStore(reply).send({
        signed_in: true,
        name: session.principal.name,
        scope: session.principal.scope,
        csrf: session.csrf,
        expires_at: new Date(session.expiresAt).toISOString(),
      });
    },
  });

  app.get(
    '/dashboard/api/session',
    {
      schema: { tags: ['dashboard'], summary: 'The current dashboard session and its CSRF token' },
      config: {
        openapi: {
          responses: {
            200: {
              description:
                'The session (`signed_in: true`, name, scope, csrf, expires_at) or `{"signed_in": false}`',
              schema: Type.Union([SessionBody, Type.Object({ signed_in: Type.Literal(false) })]),
            },
          },
        },
      },
    },
    async (request, reply) => {
      const id = sessionCookie(request.headers.cookie);
      const session = id ? await services.sessions.authenticate(id) : null;
      // Being signed out is an answer, not an error: the dashboard asks on every load, and a 401
      // there would be a failed request in every visitor's console.
      if (!session) return noStore(reply).send({ signed_in: false });
      return noStore(reply).send({
        signed_in: true,
        name: session.principal.name,
        scope: session.principal.scope,
        csrf: session.csrf,
        expires_at: new Date(session.expiresAt).toISOString(),
      });
    },
  );

  app.delete(
    '/dashboard/api/session',
    {
      schema: { tags: ['dashboard'], summary: 'Sign out' },
      config: {
        openapi: {
          responses: {
            204: 'Signed out; the cookie is cleared',
            401: 'No live session',
            403: 'The CSRF token is missing or wrong',
          },
        },
      },
    },
    async (request, reply) => {
      const id = sessionCookie(request.headers.cookie);
      const session = id ? await services.sessions.authenticate(id) : null;
      if (!id || !session) throw new AppError('BOUNCER_ERR_UNAUTHORIZED');
      const token = request.headers[CSRF_HEADER];
      if (!csrfMatches(session.csrf, typeof token === 'string' ? token : undefined))
        throw new AppError(
          'BOUNCER_ERR_FORBIDDEN',
          'The dashboard request lacks its CSRF token; reload the page',
        );
      await services.sessions.signOut(id);
      setCookie(reply, request, '', 0, httpsSite);
      return reply.code(204).send();
    },
  );

  for (const path of ['/favicon.svg', '/favicon.ico'])
    app.get(path, { schema: { hide: true } }, async (_req, reply) =>
      reply
        .header('cache-control', 'public, max-age=86400')
        .type('image/svg+xml')
        .send(FAVICON_SVG),
    );

  const root = rootDir ?? dashboardAssetDir();
  if (root === null) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .code(503)
        .type('text/plain')
        .send('The dashboard is not built: run `npm run build` (or `npm run build:web`).\n'),
    );
    return;
  }
  // wildcard: false serves exactly the files built, so unknown paths keep the API's 404.
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    decorateReply: false,
  });
}
