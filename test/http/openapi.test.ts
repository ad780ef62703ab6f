import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';

interface Operation {
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { description: string }>;
  requestBody?: { content: Record<string, unknown> };
}
interface Document {
  security?: unknown;
  paths: Record<string, Record<string, Operation>>;
}

/** Webhooks that an API key authenticates; every other one checks a signature or URL token. */
const KEYED_WEBHOOKS = new Set(['/webhooks/bounce', '/webhooks/bounce-mail']);

describe.each(testDialects())('the OpenAPI document on %s', (dialect) => {
  let t: TestApp;
  let doc: Document;
  let ops: Array<[string, string, Operation]>;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json<Document>();
    ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]): [string, string, Operation] => [
        path,
        method,
        op,
      ]),
    );
  });
  afterAll(async () => t.close());

  it('describes every answer per status, with no "Default Response" left', () => {
    expect(ops.length).toBeGreaterThan(30);
    expect(JSON.stringify(doc)).not.toContain('Default Response');
    for (const [path, method, op] of ops) {
      const statuses = Object.keys(op.responses);
      expect(
        statuses.some((s) => s.startsWith('2')),
        `${method} ${path}`,
      ).toBe(true);
      for (const r of Object.values(op.responses)) expect(r.description.length).toBeGreaterThan(1);
    }
  });

  it('asks for a key exactly where one is needed', () => {
    expect(doc.security).toBeUndefined();
    for (const [path, method, op] of ops) {
      // /v1/setup-status answers before anyone holds a key (one boolean, nothing else).
      const keyed =
        (path.startsWith('/v1/') && path !== '/v1/setup-status') || KEYED_WEBHOOKS.has(path);
      expect(op.security, `${method} ${path}`).toEqual(keyed ? [{ apiKey: [] }] : undefined);
      if (keyed) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
    }
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/healthz', '/readyz', '/webhooks/ses', '/webhooks/sendgrid']),
    );
    expect(doc.paths['/webhooks/ses']!.post!.security).toBeUndefined();
    expect(doc.paths['/healthz']!.get!.security).toBeUndefined();
  });

  it('documents the webhook answers: success, 401, 413 and 503', () => {
    for (const [path, , op] of ops.filter(([p]) => p.startsWith('/webhooks/'))) {
      expect(Object.keys(op.responses), path).toEqual(
        expect.arrayContaining(['401', '413', '503']),
      );
    }
    expect(Object.keys(doc.paths['/webhooks/ses']!.post!.responses).sort()).toEqual([
      '200',
      '202',
      '401',
      '413',
      '503',
    ]);
    expect(Object.keys(doc.paths['/webhooks/bounce']!.post!.responses)).toContain('202');
  });

  it('describes the streamed bodies of filter and import without Fastify parsing them', async () => {
    expect(Object.keys(doc.paths['/v1/filter']!.post!.requestBody!.content)).toEqual(
      expect.arrayContaining(['text/csv', 'application/x-ndjson']),
    );
    expect(Object.keys(doc.paths['/v1/import']!.post!.requestBody!.content)).toEqual(
      expect.arrayContaining(['text/csv', 'application/x-ndjson']),
    );
    // Still a raw stream at run time: a CSV the document describes goes through as it did.
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/filter',
      payload: 'email,name\nsomeone@example.com,A\n',
      headers: { ...auth(), 'content-type': 'text/csv' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('email,name\nsomeone@example.com,A\n');
  });
});
