import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/container.js';
import { STATS_BREAKDOWNS, STATS_INTERVALS } from '../../services/reporting/stats.js';
import { requireScope } from '../auth.js';
import { ErrorResponse, parseTime } from '../schemas.js';

const Rate = Type.Union([Type.Number(), Type.Null()]);
const Counts = Type.Object({
  processed: Type.Integer(),
  delivered: Type.Integer(),
  deferred: Type.Integer(),
  bounced: Type.Integer(),
  bounced_hard: Type.Integer(),
  bounced_soft: Type.Integer(),
  dropped: Type.Integer(),
  complained: Type.Integer(),
  unsubscribed: Type.Integer(),
  opened: Type.Integer(),
  clicked: Type.Integer(),
  bounce_rate: {
    ...Rate,
    description: 'Percent: bounced / (delivered + bounced) × 100; null when both are 0',
  },
  complaint_rate: {
    ...Rate,
    description: 'Percent: complained / delivered × 100; null when nothing was delivered',
  },
});

const Event = Type.Object({
  id: Type.String(),
  provider: Type.String(),
  type: Type.String(),
  channel: Type.String(),
  address: Type.String(),
  scope: Type.String(),
  severity: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  fine_reason: Type.Union([Type.String(), Type.Null()]),
  smtp_code: Type.Union([Type.String(), Type.Null()]),
  enhanced_status: Type.Union([Type.String(), Type.Null()]),
  diagnostic: Type.Union([Type.String(), Type.Null()]),
  error_code: Type.Union([Type.String(), Type.Null()]),
  provider_message_id: Type.Union([Type.String(), Type.Null()]),
  campaign: Type.Union([Type.String(), Type.Null()]),
  occurred_at: Type.String(),
  received_at: Type.String(),
  delivery_id: Type.Union([Type.String(), Type.Null()]),
  details: Type.Unknown(),
});

/** Delivery and engagement history: one message's timeline, and counts and rates over time. */
export const reportRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  const read = requireScope(services.apiKeys, 'read');

  app.get('/v1/messages/:providerMessageId', {
    preHandler: read,
    schema: {
      tags: ['history'],
      summary:
        'The timeline of one message (processed, delivered, deferred, bounced, opened, clicked …) across providers, oldest first',
      params: Type.Object({ providerMessageId: Type.String({ minLength: 1, maxLength: 500 }) }),
      response: {
        200: Type.Object({
          provider_message_id: Type.String(),
          providers: Type.Array(Type.String()),
          campaign: Type.Union([Type.String(), Type.Null()]),
          recipients: Type.Array(
            Type.Object({
              channel: Type.String(),
              address: Type.String(),
              status: Type.Union([Type.String(), Type.Null()]),
              last_event_at: Type.String(),
            }),
          ),
          first_event_at: Type.String(),
          last_event_at: Type.String(),
          events: Type.Array(Event),
          truncated: Type.Boolean(),
        }),
        404: ErrorResponse,
      },
    },
    handler: async (req) => services.messages.timeline(req.params.providerMessageId),
  });

  app.get('/v1/stats', {
    preHandler: read,
    schema: {
      tags: ['history'],
      summary:
        'Delivery and engagement counts and rates per UTC hour or day, optionally per provider, campaign or reason',
      querystring: Type.Object({
        from: Type.Optional(
          Type.String({
            description:
              'ISO-8601 or epoch ms; aligned down to its bucket. Default: 30 days (interval=day) or 48 hours (interval=hour) before to',
          }),
        ),
        to: Type.Optional(
          Type.String({ description: 'Exclusive; ISO-8601 or epoch ms. Default: now' }),
        ),
        interval: Type.Optional(
          Type.String({ description: STATS_INTERVALS.join(' | ') + ' (default day)' }),
        ),
        by: Type.Optional(Type.String({ description: STATS_BREAKDOWNS.join(' | ') })),
      }),
      response: {
        200: Type.Object({
          from: Type.String(),
          to: Type.String(),
          interval: Type.String(),
          by: Type.Union([Type.String(), Type.Null()]),
          buckets: Type.Array(
            Type.Object({ start: Type.String(), groups: Type.Record(Type.String(), Counts) }),
          ),
          totals: Type.Record(Type.String(), Counts),
          overall: Counts,
        }),
        400: ErrorResponse,
      },
    },
    handler: async (req) =>
      services.stats.stats({
        from: parseTime(req.query.from, 'from'),
        to: parseTime(req.query.to, 'to'),
        interval: req.query.interval,
        by: req.query.by,
      }),
  });
};
