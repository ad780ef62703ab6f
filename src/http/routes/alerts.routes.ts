import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/container.js';
import { requireScope } from '../auth.js';

/** Alert states and history, and the dashboard's overview figures. */
export const alertRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  const read = requireScope(services.apiKeys, 'read');
  app.get('/v1/alerts', {
    preHandler: read,
    config: {
      openapi: { responses: { 200: 'Alert states, transitions, notifications and rules' } },
    },
    schema: {
      tags: ['operations'],
      summary:
        'Alert states (firing first), transitions of the last 7 days, recent notifications and the rules in force',
    },
    handler: async () => services.alerts.list(),
  });
  app.get('/v1/dashboard/overview', {
    preHandler: read,
    config: { openapi: { responses: { 200: 'The overview figures for the last `days` days' } } },
    schema: {
      tags: ['operations'],
      summary:
        'Suppressions by reason, events per day by type, daily bounce and complaint rates with the alert thresholds, and the queue',
      querystring: Type.Object({ days: Type.Integer({ minimum: 1, maximum: 366, default: 30 }) }),
    },
    handler: async (req) => services.overview.overview(req.query.days),
  });
};
