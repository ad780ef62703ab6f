import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../services/container.js';
import { validationError } from '../core/errors.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../core/json-depth.js';
import { registerErrorHandler } from './error-handler.js';
import { API_KEY_SCHEME, openapiTransform } from './openapi.js';
import { registerSecurity } from './security.js';
import { webhookRoutes } from './routes/webhooks.routes.js';
import { suppressionRoutes } from './routes/suppressions.routes.js';
import { checkRoutes } from './routes/check.routes.js';
import { filterRoutes } from './routes/filter.routes.js';
import { importExportRoutes } from './routes/import-export.routes.js';
import { historyRoutes } from './routes/history.routes.js';
import { deliveryRoutes } from './routes/deliveries.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { alertRoutes } from './routes/alerts.routes.js';
import { outboundRoutes } from './routes/outbound.routes.js';
import { syncRoutes } from './routes/sync.routes.js';
import { reportRoutes } from './routes/reports.routes.js';
import { MEASURED_ROUTES, metricsRoutes } from './routes/metrics.routes.js';
import { webPlugin } from '../web/web.plugin.js';
import { consentRoutes, erasureRoutes } from './routes/consent.routes.js';

export interface AppOptions {
  /** Extra plugins registered after the core routes (metrics, dashboard…). */
  plugins?: ReadonlyArray<(app: FastifyInstance, services: Services) => Promise<void>>;
  /** Directory of the built dashboard; default: src/web/dist (see web.plugin.ts). */
  webRoot?: string;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Trust the nearest `hops` proxies, as Fastify does for a number (typed only as a function). */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

/**
 * The Fastify app, built from services made outside it (so the CLI and worker share them).
 * Request logs name the route pattern, never the URL: URLs can hold addresses.
 */
export async function buildApp(
  services: Services,
  opts: AppOptions = {},
): Promise<FastifyInstance> {
  const http = services.config.http;
  const app = Fastify({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- pino.Logger vs FastifyBaseLogger generics
    loggerInstance: services.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // Off unless configured: a trusted X-Forwarded-For sets request.ip, which the per-provider
    // source allow-lists and the rate limits read.
    trustProxy: typeof http.trustProxy === 'number' ? trustHops(http.trustProxy) : http.trustProxy,
    // Slow clients: idle sockets, whole requests and keep-alive are all bounded.
    connectionTimeout: http.idleTimeoutMs,
    requestTimeout: http.requestTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    // Unsubscribe tokens carry the address they are for (core/unsubscribe-token.ts): a route
    // parameter can be far longer than find-my-way's default of 100 characters.
    routerOptions: { maxParamLength: 1_100 },
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Headers that trickle in are cut off; past the connection cap the server refuses more.
  app.server.headersTimeout = http.headersTimeoutMs;
  app.server.maxConnections = http.maxConnections;
  app.decorateRequest('principal', null);
  app.decorate('dashboardSessions', services.sessions);
  const metrics = services.metrics;
  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url;
      if (route !== undefined && MEASURED_ROUTES.has(route))
        metrics.request(route, reply.statusCode, reply.elapsedTime / 1_000);
    });
  }
  app.addHook('onResponse', async (request, reply) => {
    // Per-request lines only at debug: at webhook rates an info line per request costs more
    // than the request itself. Failures stay visible at error level.
    const level = reply.statusCode >= 500 ? 'error' : 'debug';
    if (!services.logger.isLevelEnabled(level)) return;
    request.log[level](
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
  registerErrorHandler(app);
  await registerSecurity(app, http.rateLimits);
  // A numeric-looking query value that is no finite number (`limit=1e309` is Infinity after
  // coercion, and passes an integer check) is a client mistake: 400 before any handler runs.
  app.addHook('preValidation', async (request) => {
    for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>))
      if (typeof value === 'string' && NUMERIC.test(value) && !Number.isFinite(Number(value)))
        throw validationError(name, 'must be a finite number');
  });
  // API JSON bodies: the nesting limit before parsing (400), so no handler or serialiser ever
  // recurses through a 5,000-level value. Webhook routes read raw bytes and check in the adapter.
  const defaultJson = app.getDefaultJsonParser('error', 'ignore');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (jsonTooDeep(body as string))
      return done(validationError('body', `nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    void defaultJson(req, body as string, done);
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Bouncer',
        version: '0.1.0',
        description: 'Suppression list service: webhooks in, "may I send?" out.',
      },
      components: {
        securitySchemes: {
          [API_KEY_SCHEME]: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An API key (`bouncer keys create`); HTTP Basic with the key as password also works',
          },
        },
      },
    },
    transform: openapiTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes, { services });
  await app.register(webhookRoutes, { services });
  await app.register(suppressionRoutes, { services });
  await app.register(checkRoutes, { services });
  await app.register(filterRoutes, { services });
  await app.register(importExportRoutes, { services });
  await app.register(historyRoutes, { services });
  await app.register(deliveryRoutes, { services });
  await app.register(alertRoutes, { services });
  await app.register(reportRoutes, { services });
  await app.register(consentRoutes, { services });
  await app.register(erasureRoutes, { services });
  await app.register(outboundRoutes, { services });
  await app.register(syncRoutes, { services });
  if (metrics) await app.register(metricsRoutes, { metrics, token: services.config.metrics.token });
  await app.register(webPlugin, { services, root: opts.webRoot });
  for (const plugin of opts.plugins ?? []) await plugin(app, services);
  await app.ready();
  return app;
}
