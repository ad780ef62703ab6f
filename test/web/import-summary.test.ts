import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSummaryOf } from '../../src/web/app/import-summary.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';

describe("the dashboard's reading of an import answer", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('sqlite');
  });
  afterAll(async () => t.close());

  it('finds the summary in the NDJSON the server really sends after a successful import', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/import',
      payload: 'email,reason\na@example.com,hard_bounce\nnot-an-address,hard_bounce\n',
      headers: { ...auth(), 'content-type': 'text/csv' },
    });
    expect(res.statusCode).toBe(200);
    // What the old code did with this answer: one JSON.parse, which throws.
    expect(() => JSON.parse(res.body) as unknown).toThrow();
    expect(importSummaryOf(res.body)).toMatchObject({ total: 2, imported: 1, invalid: 1 });
  });

  it('says there is no summary when there is none', () => {
    expect(importSummaryOf('{"line":2,"status":"imported"}\n')).toBeNull();
    expect(importSummaryOf('')).toBeNull();
  });
});
