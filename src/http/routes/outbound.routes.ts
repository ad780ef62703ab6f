import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/container.js';
import { CHANGE_EVENT_TYPES } from '../../core/change-events.js';
import { requireScope } from '../auth.js';

/** Signed change event subscriptions (admin), their delivery log and replay. */
export const outboundRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  const admin = requireScope(services.apiKeys, 'admin');
  const eventType = Type.Union(CHANGE_EVENT_TYPES.map((t) => Type.Literal(t)));

  app.post('/v1/outbound-webhooks', {
    preHandler: admin,
    config: {
      openapi: {
        responses: {
          201: 'The subscription, with its secret (shown this once only)',
          400: 'Bad URL, secret or event type',
        },
      },
    },
    schema: {
      tags: ['outbound'],
      summary: 'Subscribe a URL to signed change events (Standard Webhooks)',
      body: Type.Object(
        {
          url: Type.String({ maxLength: 2_000 }),
          secret: Type.Optional(Type.String({ maxLength: 200 })),
          events: Type.Optional(Type.Array(eventType, { minItems: 1, maxItems: 10 })),
        },
        { additionalProperties: false },
      ),
    },
    handler: async (req, reply) => {
      const created = await services.outbound.createSubscription(req.body);
      return reply.code(201).send(created);
    },
  });

  app.get('/v1/outbound-webhooks', {
    preHandler: admin,
    config: { openapi: { responses: { 200: 'Every subscription (secrets are never shown)' } } },
    schema: { tags: ['outbound'], summary: 'Signed change event subscriptions' },
    handler: async () => ({ items: await services.outbound.listSubscriptions() }),
  });

  app.delete('/v1/outbound-webhooks/:id', {
    preHandler: admin,
    config: {
      openapi: {
        responses: {
          204: 'Removed, with its undelivered events',
          400: 'A subscription from the configuration',
          404: 'No such subscription',
        },
      },
    },
    schema: {
      tags: ['outbound'],
      summary: 'Remove a subscription made through the API',
      params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
    },
    handler: async (req, reply) => {
      await services.outbound.deleteSubscription(req.params.id);
      return reply.code(204).send();
    },
  });

  app.get('/v1/outbound-deliveries', {
    preHandler: admin,
    config: { openapi: { responses: { 200: 'A page of outbound deliveries, newest first' } } },
    schema: {
      tags: ['outbound'],
      summary: 'The delivery log of signed change events: status, attempts, last error',
      querystring: Type.Object({
        status: Type.Optional(
          Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')]),
        ),
        subscription: Type.Optional(Type.String({ maxLength: 100 })),
        limit: Type.Integer({ minimum: 1, maximum: 1_000, default: 100 }),
        cursor: Type.Optional(Type.String({ maxLength: 200 })),
      }),
    },
    handler: async (req) =>
      services.outbound.listDeliveries(
        { status: req.query.status, subscriptionId: req.query.subscription },
        req.query.limit,
        req.query.cursor,
      ),
  });

  app.post('/v1/outbound-deliveries/replay', {
    preHandler: admin,
    config: { openapi: { responses: { 200: 'How many deliveries were queued again' } } },
    schema: {
      tags: ['outbound'],
      summary:
        'Send deliveries again: the given ids, or every dead one ({"status":"dead"}, optionally of one subscription or push target such as "sync:sendgrid")',
      body: Type.Union([
        Type.Object(
          { ids: Type.Array(Type.String({ maxLength: 100 }), { minItems: 1, maxItems: 1_000 }) },
          { additionalProperties: false },
        ),
        Type.Object(
          {
            status: Type.Literal('dead'),
            subscription: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
      ]),
    },
    handler: async (req) =>
      services.outbound.replay(
        'ids' in req.body
          ? { ids: req.body.ids }
          : { allDead: true, subscriptionId: req.body.subscription },
      ),
  });
};
