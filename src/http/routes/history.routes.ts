import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/container.js';
import { requireScope } from '../auth.js';

const Page = {
  limit: Type.Integer({ minimum: 1, maximum: 1_000, default: 100 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
};

/** The history that explains a suppression: events and the audit trail. */
export const historyRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  const read = requireScope(services.apiKeys, 'read');
  app.get('/v1/events', {
    preHandler: read,
    config: { openapi: { responses: { 200: 'A page of events: `{events, next_cursor}`' } } },
    schema: {
      tags: ['history'],
      summary: 'Events for an address, newest first',
      querystring: Type.Object({ address: Type.String({ minLength: 1, maxLength: 320 }), ...Page }),
    },
    handler: async (req) =>
      services.suppressions.history(req.query.address, req.query.limit, req.query.cursor),
  });
  app.get('/v1/audit', {
    preHandler: read,
    config: { openapi: { responses: { 200: 'A page of audit entries: `{items, next_cursor}`' } } },
    schema: {
      tags: ['history'],
      summary: 'Manual changes, newest first',
      querystring: Type.Object({
        address: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
        ...Page,
      }),
    },
    handler: async (req) =>
      services.suppressions.audit(req.query.address, req.query.limit, req.query.cursor),
  });
};
