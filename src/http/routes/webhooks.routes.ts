import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { ProviderEndpoint, WebhookRequest } from '../../providers/types.js';
import type { Services } from '../../services/container.js';
import { requireScope } from '../auth.js';
import { WEBHOOK_REPLIES, WEBHOOK_REPLY_STATUSES } from '../webhook-replies.js';
import { sourceAllowed } from '../../providers/shared/source-ips.js';
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
function webhookDoc(endpoint: ProviderEndpoint, bodyLimit: number): RouteDoc {
  return {
    ...(endpoint.auth === 'api-key' ? { scope: 'write' as const } : {}),
    responses: {
      ...WEBHOOK_REPLY_STATUSES[endpoint.reply],
      401:
        endpoint.auth === 'api-key'
          ? 'No valid API key (always this same answer)'
          : 'Signature, token or credentials missing or wrong (always this same answer; the reason is only logged)',
      413: `The body is larger than this endpoint accepts (${bodyLimit} bytes)`,
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
  const limits = services.config.http;
  for (const endpoint of services.endpoints) {
    const bodyLimit =
      endpoint.bodyLimit === 'single'
        ? limits.bodyLimitSingleBytes
        : endpoint.bodyLimit === 'batch'
          ? limits.bodyLimitBatchBytes
          : endpoint.bodyLimit;
    const answerFor = WEBHOOK_REPLIES[endpoint.reply];
    const allowed = sourceAllowed(endpoint.allowedIps ?? []);
    const apiKey = endpoint.auth === 'api-key' ? requireScope(services.apiKeys, 'write') : null;
    app.route({
      method: endpoint.method ?? 'POST',
      url: endpoint.path,
      bodyLimit,
      // Before the body is read: a source outside the allow-list, or (API-key endpoints) a
      // request without a valid write key, gets the uniform 401 and no body is read.
      onRequest: async (request, reply) => {
        if (!allowed(request.ip)) {
          services.logger.warn({ endpoint: endpoint.id }, 'webhook source address not allowed');
          throw new AppError('BOUNCER_ERR_UNAUTHORIZED');
        }
        if (apiKey) await apiKey.call(app, request, reply);
      },
      config: { openapi: webhookDoc(endpoint, bodyLimit) },
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
        const answer = answerFor(outcome, { brand: services.config.brand, url: request.url });
        if (answer.headers) void reply.headers(answer.headers);
        if (answer.contentType) void reply.type(answer.contentType);
        return reply.code(answer.status).send(answer.body);
      },
    });
    // Fastify answers HEAD for every GET route (exposeHeadRoutes).
    if (endpoint.urlCheck && (endpoint.method ?? 'POST') === 'POST')
      app.get(endpoint.path, { schema: { hide: true } }, async (_request, reply) =>
        reply.code(200).send(''),
      );
  }
}
