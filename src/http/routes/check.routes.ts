import { isoTime } from '../../core/clock.js';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/container.js';
import { PURPOSES } from '../../services/presend/check-recipients.js';
import { requireScope } from '../auth.js';
import { ErrorResponse } from '../schemas.js';

export const MAX_CHECK_RECIPIENTS = 10_000;

export const checkRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.post('/v1/check', {
    preHandler: requireScope(services.apiKeys, 'read'),
    bodyLimit: 2 * 1024 * 1024,
    schema: {
      tags: ['check'],
      summary: 'May I send to these recipients? Emails and phone numbers mixed, up to 10,000.',
      body: Type.Object({
        recipients: Type.Array(Type.String({ maxLength: 320 }), {
          minItems: 1,
          maxItems: MAX_CHECK_RECIPIENTS,
        }),
        scope: Type.Optional(
          Type.String({
            maxLength: 200,
            description: 'Unsubscribe group to honour besides global suppressions',
          }),
        ),
        purpose: Type.Optional(
          Type.Union(
            PURPOSES.map((p) => Type.Literal(p)),
            { description: 'transactional ignores unsubscribes' },
          ),
        ),
      }),
      response: {
        200: Type.Object({
          allowed: Type.Array(Type.String(), {
            description: 'Inputs that may be sent to, as given',
          }),
          suppressed: Type.Array(
            Type.Object({
              input: Type.String(),
              address: Type.String(),
              channel: Type.String(),
              reason: Type.String(),
              scope: Type.String(),
              source: Type.String(),
              since: Type.String(),
              until: Type.Union([Type.String(), Type.Null()]),
            }),
          ),
          invalid: Type.Array(Type.Object({ input: Type.String(), error: Type.String() })),
        }),
        400: ErrorResponse,
      },
    },
    handler: async (req) => {
      const r = await services.checker.check(req.body);
      return {
        allowed: r.allowed.map((a) => a.input),
        suppressed: r.suppressed.map((s) => ({
          ...s,
          since: isoTime(s.since),
          until: s.until === null ? null : isoTime(s.until),
        })),
        invalid: r.invalid,
      };
    },
  });
};
