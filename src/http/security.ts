import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { AppError } from '../core/errors.js';

/**
 * Headers on every answer (the API, /docs, errors); the dashboard plugin sets its own stricter
 * set. /docs (Swagger UI) needs inline styles and its own scripts, nothing from elsewhere.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const SIGN_IN_ROUTE = '/dashboard/api/session';
const MINUTE_MS = 60_000;

const isWebhook = (request: FastifyRequest): boolean =>
  request.routeOptions.url?.startsWith('/webhooks/') === true;

/**
 * Rate limits per client address (request.ip: see BOUNCER_TRUST_PROXY): authentication
 * failures, dashboard sign-ins and requests for unknown routes answer 429 once over their
 * budget per minute. Webhook routes are never limited: a provider's retries must get through.
 */
export async function registerSecurity(
  app: FastifyInstance,
  limits: Readonly<Config['http']['rateLimits']>,
): Promise<void> {
  app.addHook('onSend', async (_request, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      if (!reply.hasHeader(name)) void reply.header(name, value);
  });
  await app.register(rateLimit, { global: false });
  const window = { timeWindow: MINUTE_MS };
  const authFailures = app.createRateLimit({ ...window, max: limits.authFailures });
  const signIns = app.createRateLimit({ ...window, max: limits.signIns });
  const notFound = app.createRateLimit({ ...window, max: limits.notFound });
  const refuse = (): never => {
    throw new AppError('BOUNCER_ERR_RATE_LIMITED');
  };
  app.addHook('onRequest', async (request) => {
    if (isWebhook(request)) return;
    // Not counted here (only failures count, after the answer): refused once the budget is spent.
    const failures = await authFailures(request, { increment: false });
    if (!failures.isAllowed && failures.remaining <= 0) refuse();
    if (request.method === 'POST' && request.routeOptions.url === SIGN_IN_ROUTE) {
      const r = await signIns(request);
      if (!r.isAllowed && r.isExceeded) refuse();
    }
    if (request.routeOptions.url === undefined) {
      const r = await notFound(request);
      if (!r.isAllowed && r.isExceeded) refuse();
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 401 && !isWebhook(request)) await authFailures(request);
  });
}
