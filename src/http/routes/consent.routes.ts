import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/container.js';
import { requireScope } from '../auth.js';
import { donePage, PAGE_HEADERS, preferencePage } from '../consent-pages.js';
import { ErrorResponse } from '../schemas.js';

const FORM_LIMIT_BYTES = 4_096;
const Token = Type.Object({ token: Type.String({ minLength: 1, maxLength: 1_024 }) });
const Group = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

/**
 * The recipient pages behind an unsubscribe link (the one-click POST itself is a webhook
 * endpoint: providers/unsubscribe) and the API that makes links and manages groups.
 */
export const consentRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  const write = requireScope(services.apiKeys, 'write');
  const { brand } = services.config;
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.post('/v1/unsubscribe-links', {
    preHandler: write,
    schema: {
      tags: ['consent'],
      summary: 'A signed one-click unsubscribe link (RFC 8058) and the headers to send it in',
      body: Type.Object({
        address: Type.String({ minLength: 1, maxLength: 320 }),
        scope: Type.Optional(Type.String({ maxLength: 100, description: '`*` or a group id' })),
        campaign: Type.Optional(Type.String({ maxLength: 100 })),
      }),
      response: {
        200: Type.Object({
          url: Type.String(),
          mailto: Type.Union([Type.String(), Type.Null()]),
          headers: Type.Object({
            'List-Unsubscribe': Type.String(),
            'List-Unsubscribe-Post': Type.Literal('List-Unsubscribe=One-Click'),
          }),
        }),
        400: ErrorResponse,
        409: ErrorResponse,
      },
    },
    handler: async (req) => services.unsubscribeLinks.create(req.body),
  });

  const page = async (token: string): Promise<string> =>
    preferencePage(brand, token, await services.preferences.state(token));
  for (const url of ['/unsubscribe/:token', '/unsubscribe/:token/preferences'])
    app.get(url, {
      config: {
        openapi: {
          responses: {
            200: 'The HTML page (no script, no framing, no Referer)',
            401: 'The token does not verify (always this same answer)',
          },
        },
      },
      schema: {
        tags: ['consent'],
        summary: 'The recipient page: confirm button and group toggles; a GET changes nothing',
        params: Token,
      },
      handler: async (req, reply) => reply.headers(PAGE_HEADERS).send(await page(req.params.token)),
    });

  app.post('/unsubscribe/:token/preferences', {
    bodyLimit: FORM_LIMIT_BYTES,
    config: {
      openapi: {
        responses: {
          200: 'An HTML confirmation: subscribed again, or nothing to undo',
          401: 'The token or the form nonce does not verify (always this same answer)',
        },
      },
    },
    schema: {
      tags: ['consent'],
      summary: 'Rejoin a group (lifts only an unsubscribe this page recorded)',
      params: Token,
      body: Type.Object({
        scope: Type.String({ minLength: 1, maxLength: 100 }),
        nonce: Type.String({ minLength: 1, maxLength: 64 }),
      }),
    },
    handler: async (req, reply) => {
      const { lifted } = await services.preferences.rejoin(
        req.params.token,
        req.body.nonce,
        req.body.scope,
      );
      return reply
        .headers(PAGE_HEADERS)
        .send(
          donePage(
            brand,
            lifted ? 'You are subscribed again.' : 'Nothing to undo here.',
            `/unsubscribe/${encodeURIComponent(req.params.token)}`,
          ),
        );
    },
  });

  app.get('/v1/groups', {
    preHandler: write,
    schema: {
      tags: ['consent'],
      summary: 'Unsubscribe groups (the scopes recipients see)',
      response: { 200: Type.Object({ items: Type.Array(Group) }) },
    },
    handler: async () => ({ items: await services.groups.list() }),
  });
  app.post('/v1/groups', {
    preHandler: write,
    schema: {
      tags: ['consent'],
      summary: 'Create an unsubscribe group',
      body: Type.Object({
        id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        name: Type.String({ minLength: 1, maxLength: 100 }),
        description: Type.Optional(Type.String({ maxLength: 1_000 })),
      }),
      response: { 201: Group, 400: ErrorResponse, 409: ErrorResponse },
    },
    handler: async (req, reply) =>
      reply.code(201).send(await services.groups.create(req.body, actor(req.principal?.name))),
  });
  app.patch('/v1/groups/:id', {
    preHandler: write,
    schema: {
      tags: ['consent'],
      summary: 'Rename or describe an unsubscribe group',
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
      body: Type.Object({
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        description: Type.Optional(Type.String({ maxLength: 1_000 })),
      }),
      response: { 200: Group, 400: ErrorResponse, 404: ErrorResponse },
    },
    handler: async (req) =>
      services.groups.update(req.params.id, req.body, actor(req.principal?.name)),
  });
  app.delete('/v1/groups/:id', {
    preHandler: write,
    schema: {
      tags: ['consent'],
      summary: 'Delete an unsubscribe group (its suppressions stay)',
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
      response: { 204: Type.Null(), 404: ErrorResponse },
    },
    handler: async (req, reply) => {
      await services.groups.remove(req.params.id, actor(req.principal?.name));
      return reply.code(204).send(null);
    },
  });
};

/** Erasure (admin): see services/consent/erasure.ts and docs/privacy.md. */
export const erasureRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.delete('/v1/subjects/:address', {
    preHandler: requireScope(services.apiKeys, 'admin'),
    schema: {
      tags: ['privacy'],
      summary:
        'Erase an address: events and raw deliveries naming it go; its suppressions stay as a keyed hash the check still matches',
      params: Type.Object({ address: Type.String({ minLength: 1, maxLength: 320 }) }),
      response: {
        200: Type.Object({
          channel: Type.String(),
          keyed: Type.String(),
          suppressions: Type.Integer(),
          events: Type.Integer(),
          deliveries: Type.Integer(),
          scrubbedEvents: Type.Integer(),
          auditEntries: Type.Integer(),
        }),
        400: ErrorResponse,
        409: ErrorResponse,
      },
    },
    handler: async (req) => services.erasure.erase(req.params.address, actor(req.principal?.name)),
  });
};

const actor = (name: string | undefined): string => `key:${name ?? 'unknown'}`;
