import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../services/container.js';
import { registerErrorHandler } from './error-handler.js';
import { API_KEY_SCHEME, openapiTransform } from './openapi.js';
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

export interface AppOptions {
  /** Extra plugins registered after the core routes (metrics, dashboard…). */
  plugins?: ReadonlyArray<(app: FastifyInstance, services: Services) => Promise<void>>;
  /** Directory of the built dashboard; default: src/web/dist (see web.plugin.ts). */
  webRoot?: string;
}

/**
 * The Fastify app, built from services made outside it (so the CLI and worker share them).
 * Request logs name the route pattern, never the URL: URLs can hold addresses.
 */
export async function buildApp(
  services: Services,
  opts: AppOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- pino.Logger vs FastifyBaseLogger generics
    loggerInstance: services.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    trustProxy: true,
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
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
  await app.register(outboundRoutes, { services });
  await app.register(syncRoutes, { services });
  if (metrics) await app.register(metricsRoutes, { metrics, token: services.config.metrics.token });
  await app.register(webPlugin, { services, root: opts.webRoot });
  for (const plugin of opts.plugins ?? []) await plugin(app, services);
  await app.ready();
  return app;
}
