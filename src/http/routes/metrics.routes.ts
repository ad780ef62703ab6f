import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../services/reporting/metrics.js';
import { AppError } from '../../core/errors.js';
import { presentedKey } from '../auth.js';

/** Fastify route patterns whose latency is measured (the hot, customer-facing calls). */
export const MEASURED_ROUTES = new Set(['/v1/check', '/v1/filter']);

const tokenMatches = (expected: string, presented: string | null): boolean => {
  if (presented === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * `GET /metrics` in the Prometheus text format. Open by default (scrape it on a private network);
 * with BOUNCER_METRICS_TOKEN set it wants `Authorization: Bearer <token>` and answers the same
 * 401 as the API otherwise.
 */
export async function metricsRoutes(
  app: FastifyInstance,
  opts: { metrics: Metrics; token: string | null },
): Promise<void> {
  const { metrics, token } = opts;
  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics', produces: ['text/plain'] } },
    async (request, reply) => {
      if (token !== null && !tokenMatches(token, presentedKey(request.headers.authorization))) {
        request.log.info({ reason: 'metrics token missing or wrong' }, 'authentication failed');
        throw new AppError('BOUNCER_ERR_UNAUTHORIZED');
      }
      const { contentType, body } = await metrics.render();
      return reply.type(contentType).send(body);
    },
  );
}
