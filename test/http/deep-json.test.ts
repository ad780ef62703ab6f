import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../../src/core/json-depth.js';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';
import { signDrip } from '../helpers/server-process.js';

const nested = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

describe('jsonTooDeep', () => {
  it('counts brackets outside strings only, in one pass', () => {
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonTooDeep(`{"s":"${'['.repeat(10_000)}"}`)).toBe(false);
    expect(jsonTooDeep(`{"s":"\\"${'['.repeat(10_000)}"}`)).toBe(false);
    expect(jsonTooDeep('['.repeat(5_000))).toBe(true);
  });
});

describe.each(testDialects())('deeply nested JSON on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  it('answers an API body 5,000 levels deep with 400 before anything is stored', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/suppressions',
      payload: `{"address":"deep@example.com","note":"n","x":${nested(5_000)}}`,
      headers: { ...auth(), 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe(`body: nests deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it('answers the generic bounce API with a 400 for a 5,000-level meta', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/bounce',
      payload: `{"email":"deep@example.com","type":"hard","meta":${nested(5_000)}}`,
      headers: { ...auth(), 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
  });

  it('stores a verified provider body 5,000 levels deep as a dead, replayable delivery', async () => {
    const body = `{"event":"subscriber.bounced","data":{"email":"deep@example.com","x":${nested(5_000)}}}`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/drip/bounce',
      payload: body,
      headers: { 'content-type': 'application/json', 'x-drip-signature': signDrip(body) },
    });
    // This route answers its API-style callers 400 for unreadable bodies (drip-signed policy),
    // with the id of the dead delivery it stored.
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/nests deeper than 64 levels/);
    await t.drain();
    const row = await t.tdb.db.kysely
      .selectFrom('deliveries')
      .select(['status'])
      .where('id', '=', res.json().delivery_id as string)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('dead');
  });
});

describe.each(testDialects())('an adapter that throws on verified bytes, on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      services: {
        extraEndpoints: [
          {
            id: 'throwing',
            path: '/webhooks/throwing',
            auth: 'adapter',
            bodyLimit: 'single',
            reply: 'standard',
            adapter: {
              name: 'throwing',
              verify: () => ({ ok: true }),
              parse: (req) => {
                const body = JSON.parse(req.rawBody.toString()) as { id: unknown };
                // What a nested value in an id field did: a TypeError, not a ParseError.
                return (body.id as { toUpperCase(): never }).toUpperCase();
              },
            },
          },
        ],
      },
    });
  });
  afterAll(async () => t.close());

  it('stores the delivery dead with a 2xx instead of a 500 the provider would retry forever', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/throwing',
      payload: '{"id":{"nested":[1,2,3]}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'stored_unparseable' });
  });
});
