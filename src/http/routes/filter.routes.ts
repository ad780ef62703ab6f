import { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../core/errors.js';
import { CONTENT_TYPES, formatOfContentType } from '../../core/records.js';
import type { Services } from '../../services/container.js';
import { PURPOSES } from '../../services/presend/check-recipients.js';
import { openFilterStream, type FilterSummary } from '../../services/presend/filter-stream.js';
import { requireScope } from '../auth.js';
import type { RouteDoc } from '../openapi.js';

export const STREAMED_CONTENT_TYPES = [
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'text/csv',
  'application/csv',
];
export const SUMMARY_TRAILER = 'Bouncer-Summary';

const streamed = (description: string) => ({ schema: { type: 'string', description } });

/** Read as a raw stream, so only documented: Fastify must not parse or validate it. */
const FILTER_DOC: RouteDoc = {
  body: {
    description: 'The recipient list, streamed (any length)',
    content: {
      'application/x-ndjson': streamed(
        'One JSON object (recipient in `field`, default address) or string per line',
      ),
      'text/csv': streamed('A header row, then one row per recipient (in `column`, default email)'),
    },
  },
  responses: {
    200: {
      description:
        'The allowed rows (with include=suppressed every row, annotated), in the format of the request, streamed as decided. NDJSON ends with a `{"summary": {total, allowed, suppressed, invalid, reasons}}` line; CSV sends it in the Bouncer-Summary trailer',
      content: {
        'application/x-ndjson': streamed('Rows as sent, then the summary line'),
        'text/csv': streamed('The header and the rows as sent'),
      },
    },
    415: 'The Content-Type is neither NDJSON nor CSV',
  },
};

/**
 * POST /v1/filter: the body streams in (NDJSON or CSV, never buffered whole) and the allowed rows
 * stream back in the same format as they are decided. Clients must read the answer while they
 * send, as with any streaming HTTP/1.1 exchange.
 */
export const filterRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  // Encapsulated in this plugin: hand the raw request stream to the handler, no body limit.
  app.addContentTypeParser(STREAMED_CONTENT_TYPES, (_req, payload, done) => done(null, payload));

  app.post('/v1/filter', {
    preHandler: requireScope(services.apiKeys, 'read'),
    config: { openapi: FILTER_DOC },
    schema: {
      tags: ['check'],
      summary: 'Filter a recipient list of any length (streamed NDJSON or CSV in, same format out)',
      querystring: Type.Object({
        scope: Type.Optional(
          Type.String({
            minLength: 1,
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
        include: Type.Optional(
          Type.Literal('suppressed', {
            description: 'write every row, annotated, instead of only the allowed ones',
          }),
        ),
        column: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 200,
            description: 'CSV: recipient column (default email)',
          }),
        ),
        field: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 200,
            description: 'NDJSON: recipient field (default address)',
          }),
        ),
      }),
    },
    handler: async (req, reply) => {
      const format = formatOfContentType(req.headers['content-type']);
      if (!format || !(req.body instanceof Readable)) {
        throw new AppError(
          'BOUNCER_ERR_UNSUPPORTED_MEDIA_TYPE',
          'Content-Type must be application/x-ndjson (one JSON value per line) or text/csv',
        );
      }
      const q = req.query;
      const stream = await openFilterStream(services.filter, req.body, {
        format,
        scope: q.scope,
        purpose: q.purpose,
        includeSuppressed: q.include === 'suppressed',
        column: q.column,
        field: q.field,
      });
      // The first chunk before the status line: a first record that never ends (or goes past
      // the record limit) is a 400, not a 200 cut short. Later ones can only cut the stream.
      const first = await stream.rows.next();
      async function* rows(): AsyncGenerator<string | Buffer> {
        if (first.done) return;
        yield first.value;
        yield* stream.rows;
      }
      const summaryJson = (s: FilterSummary): string => JSON.stringify({ summary: s });
      reply.header('content-type', CONTENT_TYPES[format]);
      if (format === 'csv') {
        reply.header('trailer', SUMMARY_TRAILER);
        reply.trailer(SUMMARY_TRAILER.toLowerCase(), async () => summaryJson(stream.summary));
        return reply.send(Readable.from(rows(), { objectMode: false }));
      }
      async function* withSummary(): AsyncGenerator<string | Buffer> {
        yield* rows();
        yield `${summaryJson(stream.summary)}\n`;
      }
      return reply.send(Readable.from(withSummary(), { objectMode: false }));
    },
  });
};
