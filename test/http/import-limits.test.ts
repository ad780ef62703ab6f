import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES } from '../../src/core/records.js';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';

function streamed(head: string, fill: string, size: number): Readable {
  const chunk = fill.repeat(Math.ceil(65_536 / fill.length));
  return Readable.from(
    (function* () {
      yield Buffer.from(head);
      for (let sent = 0; sent < size; sent += chunk.length) yield Buffer.from(chunk);
    })(),
  );
}

describe.each(testDialects())('POST /v1/import record limits on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  const post = (payload: Readable, contentType: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/import',
      payload,
      headers: { ...auth(), 'content-type': contentType },
    });

  it('refuses a CSV import whose first record never ends with 400 line N: record too long', async () => {
    const res = await post(streamed('email,reason\n"', 'x,\n', 16 * 1024 * 1024), 'text/csv');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe(
      `line 2: record too long (more than ${MAX_RECORD_BYTES} bytes)`,
    );
  });

  it('refuses an NDJSON import line without a newline past the limit', async () => {
    const res = await post(
      streamed('{"address":"', 'y', 8 * MAX_RECORD_BYTES),
      'application/x-ndjson',
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^line 1: record too long/);
  });
});
