import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/container.js';
import { databaseReady } from '../../services/reporting/health.js';

export async function healthRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
): Promise<void> {
  app.get(
    '/healthz',
    {
      schema: { tags: ['health'], summary: 'The process is up' },
      config: { openapi: { responses: { 200: 'Up: `{"status": "ok"}`' } } },
    },
    async () => ({ status: 'ok' }),
  );
  // Unauthenticated on purpose: the sign-in page asks before anyone holds a key. It answers
  // one boolean and nothing about the keys themselves.
  app.get(
    '/v1/setup-status',
    {
      schema: {
        tags: ['health'],
        summary: 'Whether any API key exists yet (no authentication)',
        response: {
          200: {
            type: 'object',
            properties: { keys_configured: { type: 'boolean' } },
            required: ['keys_configured'],
          },
        },
      },
    },
    async () => ({ keys_configured: await services.apiKeys.configured() }),
  );
  app.get(
    '/readyz',
    {
      schema: { tags: ['health'], summary: 'The database answers' },
      config: {
        openapi: {
          responses: {
            200: 'Ready: `{"status": "ready"}`',
            503: {
              description: 'The database does not answer: `{"status": "unavailable", error}`',
            },
          },
        },
      },
    },
    async (_req, reply) => {
      const r = await databaseReady(services.db);
      return r.ok
        ? { status: 'ready' }
        : reply.code(503).send({
            status: 'unavailable',
            error: { code: 'BOUNCER_ERR_UNAVAILABLE', message: 'database unavailable' },
          });
    },
  );
}
