import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/container.js';
import { requireScope } from '../auth.js';

/** Sync state with the providers' own suppression lists, and a pull on demand (admin). */
export const syncRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  const read = requireScope(services.apiKeys, 'read');
  const admin = requireScope(services.apiKeys, 'admin');
  app.get('/v1/sync', {
    preHandler: read,
    config: { openapi: { responses: { 200: 'Push backlog and last pull per provider' } } },
    schema: { tags: ['outbound'], summary: 'Two-way sync state with each provider' },
    handler: async () => services.sync.status(),
  });
  app.post('/v1/sync/:provider/run', {
    preHandler: admin,
    config: {
      openapi: {
        responses: {
          200: 'The pull pass report',
          400: 'Not a configured sync provider',
          409: 'A pull of this provider is already running (here or on another instance)',
        },
      },
    },
    schema: {
      tags: ['outbound'],
      summary: 'Pull a provider’s suppression list now (resuming an interrupted pass)',
      params: Type.Object({ provider: Type.String({ maxLength: 20 }) }),
    },
    handler: async (req) => services.sync.pull(services.sync.parseProvider(req.params.provider)),
  });
};
