import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/container.js';
import { requireScope } from '../auth.js';
import { parseTime } from '../schemas.js';

export const deliveryRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  const read = requireScope(services.apiKeys, 'read');
  const write = requireScope(services.apiKeys, 'write');
  const admin = requireScope(services.apiKeys, 'admin');

  app.get('/v1/deliveries', {
    preHandler: read,
    config: { openapi: { responses: { 200: 'A page of deliveries (without their bodies)' } } },
    schema: {
      tags: ['deliveries'],
      summary: 'Raw webhook deliveries, newest first (status=dead for the dead-letter list)',
      querystring: Type.Object({
        status: Type.Optional(Type.String()),
        provider: Type.Optional(Type.String({ maxLength: 50 })),
        since: Type.Optional(Type.String()),
        limit: Type.Integer({ minimum: 1, maximum: 1_000, default: 100 }),
        cursor: Type.Optional(Type.String({ maxLength: 200 })),
      }),
    },
    handler: async (req) =>
      services.deliveries.list(
        {
          status: services.deliveries.parseStatus(req.query.status),
          provider: req.query.provider,
          since: parseTime(req.query.since, 'since'),
        },
        req.query.limit,
        req.query.cursor,
      ),
  });

  app.get('/v1/deliveries/backlog', {
    preHandler: read,
    config: { openapi: { responses: { 200: 'Counts by status and the oldest waiting delivery' } } },
    schema: {
      tags: ['deliveries'],
      summary: 'Counts by status and the age of the oldest waiting delivery',
    },
    handler: async () => services.deliveries.backlog(),
  });

  app.get('/v1/deliveries/:id', {
    preHandler: admin,
    config: {
      openapi: {
        responses: { 200: 'The delivery with its raw body', 404: 'No delivery with this id' },
      },
    },
    schema: {
      tags: ['deliveries'],
      summary: 'One delivery with its raw body (admin: contains personal data)',
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
    },
    handler: async (req) => services.deliveries.get(req.params.id),
  });

  app.post('/v1/deliveries/:id/replay', {
    preHandler: write,
    config: { openapi: { responses: { 202: 'Queued again', 404: 'No delivery with this id' } } },
    schema: {
      tags: ['deliveries'],
      summary: 'Queue a delivery again (idempotent)',
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
    },
    handler: async (req, reply) => {
      const r = await services.deliveries.replay({ ids: [req.params.id] });
      if (r.missing.length > 0)
        return reply.code(404).send({
          error: { code: 'BOUNCER_ERR_NOT_FOUND', message: `no delivery ${req.params.id}` },
        });
      return reply.code(202).send(r);
    },
  });

  app.post('/v1/deliveries/replay', {
    preHandler: write,
    config: {
      openapi: { responses: { 202: 'The matching deliveries are queued again: their count' } },
    },
    schema: {
      tags: ['deliveries'],
      summary: 'Queue many deliveries again by status, provider and time',
      body: Type.Object({
        status: Type.Optional(Type.String()),
        provider: Type.Optional(Type.String({ maxLength: 50 })),
        since: Type.Optional(Type.String()),
      }),
    },
    handler: async (req, reply) => {
      const r = await services.deliveries.replay({
        status: services.deliveries.parseStatus(req.body.status),
        provider: req.body.provider,
        since: parseTime(req.body.since, 'since'),
      });
      return reply.code(202).send(r);
    },
  });
};
