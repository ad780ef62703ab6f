import type { FastifySchema, RouteOptions } from 'fastify';
import { requiredScopeOf } from './auth.js';
import { ErrorResponse } from './schemas.js';

/** One documented answer: a description, and the body when the route has no runtime schema. */
export type DocResponse =
  string | { description: string; schema?: object; content?: Record<string, { schema: unknown }> };

/**
 * What the OpenAPI document says about a route beyond its Fastify schema. Documentation only:
 * Fastify never validates or serialises with it, so streamed bodies (CSV, NDJSON) and answers
 * whose shape belongs to a provider keep their bytes as they are.
 */
export interface RouteDoc {
  responses?: Readonly<Record<number, DocResponse>>;
  /** A body the route reads as a raw stream, described but never parsed by Fastify. */
  body?: { description: string; content: Record<string, { schema: unknown }> };
  /** The key scope a route demands outside its preHandler (webhooks check it before the body). */
  scope?: 'read' | 'write' | 'admin';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    openapi?: RouteDoc;
  }
}

export const API_KEY_SCHEME = 'apiKey';

const error = (description: string): Record<string, unknown> => ({ ...ErrorResponse, description });

/** Fastify's schema → the one the document shows (the runtime schema is left untouched). */
function documented(schema: FastifySchema, doc: RouteDoc, scope: string | null): FastifySchema {
  const responses: Record<string, unknown> = {};
  for (const [status, s] of Object.entries((schema.response ?? {}) as Record<string, object>)) {
    const own = (s as { description?: string }).description;
    responses[status] = { ...s, description: own ?? describeStatus(Number(status)) };
  }
  for (const [status, r] of Object.entries(doc.responses ?? {})) {
    const code = Number(status);
    if (typeof r === 'string')
      responses[status] = code >= 400 ? error(r) : { type: 'null', description: r };
    else if (r.content) responses[status] = { description: r.description, content: r.content };
    else if (r.schema) responses[status] = { ...r.schema, description: r.description };
    else responses[status] = code >= 400 ? error(r.description) : { type: 'null', ...r };
  }
  const validated = schema.body ?? schema.querystring ?? schema.params;
  if (validated && !responses[400])
    responses[400] = error('The request is invalid; the message names the field');
  if (scope) {
    responses[401] ??= error('No valid API key or dashboard session (always this same answer)');
    responses[403] ??= error(`The key lacks the \`${scope}\` scope`);
  }
  return {
    ...schema,
    response: responses,
    ...(scope ? { security: [{ [API_KEY_SCHEME]: [] }] } : {}),
    ...(doc.body ? { body: doc.body } : {}),
  };
}

function describeStatus(status: number): string {
  if (status === 200) return 'OK';
  if (status === 201) return 'Created';
  if (status === 404) return 'Not found';
  if (status === 400) return 'The request is invalid; the message names the field';
  return `HTTP ${status}`;
}

/**
 * The @fastify/swagger `transform`: per-status responses with descriptions (never "Default
 * Response"), `security` exactly where a preHandler demands an API key scope, and bodies that
 * routes stream themselves.
 */
export function openapiTransform({
  schema,
  url,
  route,
}: {
  schema: FastifySchema;
  url: string;
  route: RouteOptions;
}): { schema: FastifySchema; url: string } {
  // Routes without a schema arrive with none, whatever the type says.
  if ((schema as FastifySchema | undefined) === undefined || (schema as { hide?: boolean }).hide)
    return { schema, url };
  const doc = route.config?.openapi ?? {};
  return {
    schema: documented(schema, doc, doc.scope ?? requiredScopeOf(route.preHandler)),
    url,
  };
}
