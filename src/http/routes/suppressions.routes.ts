import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/container.js';
import { requireScope } from '../auth.js';
import { CHANNELS } from '../../core/address.js';
import { REASONS } from '../../core/events.js';
import { ErrorResponse, parseTime } from '../schemas.js';

const Entry = Type.Object({
  channel: Type.String(),
  address: Type.String(),
  scope: Type.String(),
  reason: Type.String(),
  source: Type.String(),
  since: Type.String({ format: 'date-time' }),
  until: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  active: Type.Boolean(),
  soft_count: Type.Integer(),
  last_event_at: Type.String(),
  created_at: Type.String({ format: 'date-time', description: 'What lists are ordered by' }),
  metadata: Type.Record(Type.String(), Type.Unknown()),
});

/** The list filters, shared with GET /v1/export. */
export const ListFilterQuery = {
  channel: Type.Optional(Type.Union(CHANNELS.map((c) => Type.Literal(c)))),
  reason: Type.Optional(Type.Union(REASONS.map((r) => Type.Literal(r)))),
  source: Type.Optional(Type.String({ maxLength: 100 })),
  scope: Type.Optional(Type.String({ maxLength: 200 })),
  q: Type.Optional(Type.String({ maxLength: 254, description: 'Part of an address' })),
  from: Type.Optional(Type.String({ description: 'Created at or after (ISO-8601)' })),
  to: Type.Optional(Type.String({ description: 'Created before (ISO-8601)' })),
  active: Type.Optional(Type.Boolean({ description: 'Only suppressions in force now' })),
};

const ListQuery = Type.Object({
  ...ListFilterQuery,
  limit: Type.Integer({ minimum: 1, maximum: 1_000, default: 100 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

export const suppressionRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  const read = requireScope(services.apiKeys, 'read');
  const write = requireScope(services.apiKeys, 'write');

  app.get('/v1/suppressions/:address', {
    preHandler: read,
    schema: {
      tags: ['suppressions'],
      summary: 'Is this address suppressed, and why?',
      params: Type.Object({ address: Type.String({ minLength: 1, maxLength: 320 }) }),
      querystring: Type.Object({ scope: Type.Optional(Type.String({ maxLength: 200 })) }),
      response: {
        200: Type.Object({
          address: Type.String(),
          channel: Type.String(),
          suppressed: Type.Boolean(),
          entries: Type.Array(
            Type.Object({
              scope: Type.String(),
              reason: Type.String(),
              source: Type.String(),
              since: Type.String(),
              until: Type.Union([Type.String(), Type.Null()]),
            }),
          ),
        }),
        400: ErrorResponse,
      },
    },
    handler: async (req) => {
      return services.suppressions.status(req.params.address, req.query.scope);
    },
  });

  app.get('/v1/suppressions', {
    preHandler: read,
    schema: {
      tags: ['suppressions'],
      summary: 'List suppressions (newest first, cursor pagination)',
      querystring: ListQuery,
      response: {
        200: Type.Object({
          items: Type.Array(Entry),
          next_cursor: Type.Union([Type.String(), Type.Null()]),
        }),
      },
    },
    handler: async (req) => {
      const q = req.query;
      return services.suppressions.list(
        {
          channel: q.channel,
          reason: q.reason,
          source: q.source,
          scope: q.scope,
          q: q.q,
          createdFrom: parseTime(q.from, 'from'),
          createdTo: parseTime(q.to, 'to'),
          activeAt: q.active ? services.clock.now() : undefined,
        },
        q.limit,
        q.cursor,
      );
    },
  });

  app.post('/v1/suppressions', {
    preHandler: write,
    schema: {
      tags: ['suppressions'],
      summary: 'Suppress an address by hand (audited)',
      body: Type.Object({
        address: Type.String({ minLength: 1, maxLength: 320 }),
        reason: Type.Optional(Type.Union(REASONS.map((r) => Type.Literal(r)))),
        scope: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        note: Type.String({ minLength: 1, maxLength: 2_000 }),
        expires_at: Type.Optional(Type.String({ description: 'ISO-8601; absent = until removed' })),
      }),
      response: { 201: Entry, 400: ErrorResponse },
    },
    handler: async (req, reply) => {
      const entry = await services.suppressions.suppress({
        address: req.body.address,
        reason: req.body.reason,
        scope: req.body.scope,
        note: req.body.note,
        actor: `key:${req.principal?.name ?? 'unknown'}`,
        expiresAt: parseTime(req.body.expires_at, 'expires_at') ?? null,
      });
      return reply.code(201).send(entry);
    },
  });

  app.delete('/v1/suppressions/:address', {
    preHandler: write,
    schema: {
      tags: ['suppressions'],
      summary:
        'Remove a suppression (audited). scope defaults to * (global); scope=all removes every scope.',
      params: Type.Object({ address: Type.String({ minLength: 1, maxLength: 320 }) }),
      querystring: Type.Object({
        scope: Type.Optional(Type.String({ maxLength: 200 })),
        note: Type.Optional(Type.String({ maxLength: 2_000 })),
      }),
      response: {
        200: Type.Object({ removed: Type.Array(Entry) }),
        400: ErrorResponse,
        404: ErrorResponse,
      },
    },
    handler: async (req) => {
      // The note and scope may also come in a JSON body; query parameters win.
      const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as {
        note?: unknown;
        scope?: unknown;
      };
      return services.suppressions.unsuppress({
        address: req.params.address,
        scope: req.query.scope ?? (typeof body.scope === 'string' ? body.scope : undefined),
        note: req.query.note ?? (typeof body.note === 'string' ? body.note : ''),
        actor: `key:${req.principal?.name ?? 'unknown'}`,
      });
    },
  });
};
