import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebhookRequest } from '../../providers/types.js';
import type { Services } from '../../services/container.js';
import { STANDARD_REPLY_STATUSES, type WebhookEndpoint } from '../../services/ingest/endpoints.js';
import { requireScope } from '../auth.js';
import type { RouteDoc } from '../openapi.js';

function toWebhookRequest(request: FastifyRequest, receivedAt: number): WebhookRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(request.headers))
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  const body = request.body;
  return {
    rawBody: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
    headers,
    url: request.url,
    params: (request.params ?? {}) as Record<string, string>,
    receivedAt,
  };
}

/** The answers of one webhook URL: its reply policy, then what the edge and ingest refuse with. */
function webhookDoc(endpoint: WebhookEndpoint): RouteDoc {
  return {
    responses: {
      ...(endpoint.replyStatuses ?? STANDARD_REPLY_STATUSES),
      401:
        endpoint.auth === 'api-key'
          ? 'No valid API key (always this same answer)'
          : 'Signature, token or credentials missing or wrong (always this same answer; the reason is only logged)',
      413: `The body is larger than this endpoint accepts (${endpoint.bodyLimitBytes} bytes)`,
      503: 'The request could not be stored (database unavailable): nothing was kept, retry later',
    },
  };
}

/**
 * Every webhook endpoint, in an encapsulated context whose only body parser keeps the raw bytes
 * (signatures are computed over them; no JSON round trip may touch them first).
 */
export async function webhookRoutes(
  app: FastifyInstance,
  opts: { services: Services },
): Promise<void> {
  const { services } = opts;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  for (const endpoint of services.endpoints) {
    app.post(endpoint.path, {
      bodyLimit: endpoint.bodyLimitBytes,
      preHandler: endpoint.auth === 'api-key' ? requireScope(services.apiKeys, 'write') : undefined,
      config: { openapi: webhookDoc(endpoint) },
      schema: {
        hide: false,
        tags: ['webhooks'],
        summary: `${endpoint.adapter.name} webhook (${endpoint.id})`,
      },
      handler: async (request, reply) => {
        const outcome = await services.ingest.receive(
          endpoint,
          toWebhookRequest(request, services.clock.now()),
        );
        const answer = endpoint.reply(outcome);
        if (answer.contentType) void reply.type(answer.contentType);
        return reply.code(answer.status).send(answer.body);
      },
    });
  }
}
