import { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../core/errors.js';
import { REASONS } from '../../core/events.js';
import { CONTENT_TYPES, formatOfContentType, RECORD_FORMATS } from '../../core/records.js';
import type { Services } from '../../services/container.js';
import type { ImportLineResult } from '../../services/suppressions/import-suppressions.js';
import { requireScope } from '../auth.js';
import type { RouteDoc } from '../openapi.js';
import { parseTime } from '../schemas.js';
import { STREAMED_CONTENT_TYPES } from './filter.routes.js';
import { ListFilterQuery } from './suppressions.routes.js';

const streamed = (description: string) => ({ schema: { type: 'string', description } });

/** Bodies and answers are streams the routes read and write themselves: documented only. */
const IMPORT_DOC: RouteDoc = {
  body: {
    description: 'A suppression list, streamed (any length)',
    content: {
      'text/csv': streamed(
        'A header row (Bouncer, SendGrid or SES export, or address/email/phone with optional reason, scope, source, since, until)',
      ),
      'application/x-ndjson': streamed('One JSON object (same fields) or address string per line'),
      'application/octet-stream': streamed('Either of the above, named by ?format='),
    },
  },
  responses: {
    200: {
      description:
        'Per-row results `{line, status, error?}` as they are written, then `{"summary": {total, imported, updated, unchanged, invalid, kind}}`',
      content: { 'application/x-ndjson': streamed('One JSON object per line') },
    },
    415: 'Neither CSV nor NDJSON, and no ?format=',
  },
};

const EXPORT_DOC: RouteDoc = {
  responses: {
    200: {
      description: 'The list, newest first, streamed as an attachment',
      content: {
        'text/csv': streamed(
          'address,channel,scope,reason,source,since,until,last_event_at,soft_count',
        ),
        'application/x-ndjson': streamed('One suppression per line'),
      },
    },
  },
};

const Format = Type.Union(RECORD_FORMATS.map((f) => Type.Literal(f)));

/** POST /v1/import (streamed CSV or NDJSON in, per-row results out) and GET /v1/export. */
export const importExportRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.addContentTypeParser(STREAMED_CONTENT_TYPES, (_req, payload, done) => done(null, payload));
  // An import may also arrive as application/octet-stream with ?format=.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) =>
    done(null, payload),
  );

  app.post('/v1/import', {
    preHandler: requireScope(services.apiKeys, 'write'),
    config: { openapi: IMPORT_DOC },
    schema: {
      tags: ['suppressions'],
      summary:
        'Bulk-load suppressions (CSV: Bouncer, SendGrid or SES exports; NDJSON); per-row results streamed as NDJSON',
      querystring: Type.Object({
        format: Type.Optional(Format),
        reason: Type.Optional(
          Type.Union(
            REASONS.map((r) => Type.Literal(r)),
            { description: 'reason for every row (default: from the file)' },
          ),
        ),
        source: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        scope: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 200,
            description: 'scope of rows that name none (default *)',
          }),
        ),
        results: Type.Optional(
          Type.Union([Type.Literal('all'), Type.Literal('errors')], {
            description: 'errors: only the invalid rows',
          }),
        ),
      }),
    },
    handler: async (req, reply) => {
      const format = req.query.format ?? formatOfContentType(req.headers['content-type']);
      if (!format || !(req.body instanceof Readable)) {
        throw new AppError(
          'BOUNCER_ERR_UNSUPPORTED_MEDIA_TYPE',
          'Content-Type must be text/csv or application/x-ndjson (or pass ?format=csv|ndjson)',
        );
      }
      const q = req.query;
      const run = services.imports.run(req.body, {
        format,
        defaults: { reason: q.reason, source: q.source, scope: q.scope },
        actor: `key:${req.principal?.name ?? 'unknown'}`,
      });
      const errorsOnly = q.results === 'errors';
      // The first batch before the status line: a first record past the record limit is a 400.
      const first = await run.results.next();
      async function* batches(): AsyncGenerator<ImportLineResult[]> {
        if (first.done) return;
        yield first.value;
        yield* run.results;
      }
      async function* lines(): AsyncGenerator<string> {
        for await (const batch of batches()) {
          let out = '';
          for (const r of batch)
            if (!errorsOnly || r.status === 'invalid') out += `${JSON.stringify(r)}\n`;
          if (out) yield out;
        }
        yield `${JSON.stringify({ summary: run.summary })}\n`;
      }
      reply.header('content-type', CONTENT_TYPES.ndjson);
      return reply.send(Readable.from(lines(), { objectMode: false }));
    },
  });

  app.get('/v1/export', {
    preHandler: requireScope(services.apiKeys, 'read'),
    config: { openapi: EXPORT_DOC },
    schema: {
      tags: ['suppressions'],
      summary:
        'The whole suppression list (filters as in GET /v1/suppressions), streamed as CSV or NDJSON',
      querystring: Type.Object({ format: Type.Optional(Format), ...ListFilterQuery }),
    },
    handler: async (req, reply) => {
      const q = req.query;
      const format = q.format ?? 'csv';
      const filters = {
        channel: q.channel,
        reason: q.reason,
        source: q.source,
        scope: q.scope,
        q: q.q,
        createdFrom: parseTime(q.from, 'from'),
        createdTo: parseTime(q.to, 'to'),
        activeAt: q.active ? services.clock.now() : undefined,
      };
      reply.header('content-type', CONTENT_TYPES[format]);
      reply.header('content-disposition', `attachment; filename="suppressions.${format}"`);
      return reply.send(
        Readable.from(services.suppressions.export(filters, format), { objectMode: false }),
      );
    },
  });
};
