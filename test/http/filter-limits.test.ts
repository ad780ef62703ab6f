import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES } from '../../src/core/records.js';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';

/** `head`, then `size` bytes of `fill` in 64 KiB chunks, as a client streams them. */
function streamed(head: string, fill: string, size: number): Readable {
  const chunk = fill.repeat(Math.ceil(65_536 / fill.length));
  let sent = 0;
  return Readable.from(
    (function* () {
      yield Buffer.from(head);
      while (sent < size) {
        sent += chunk.length;
        yield Buffer.from(chunk);
      }
    })(),
  );
}

describe.each(testDialects())('POST /v1/filter record limits on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  const filter = (payload: Readable | string, contentType: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/filter',
      payload,
      headers: { ...auth(), 'content-type': contentType },
    });

  it('refuses a CSV record whose quote never closes with 400 line N: record too long', async () => {
    const res = await filter(streamed('email\n\n"', 'x,\n', 16 * 1024 * 1024), 'text/csv');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe(
      `line 3: record too long (more than ${MAX_RECORD_BYTES} bytes)`,
    );
  });

  it('cuts the answer short when such a record comes after rows were already sent', async () => {
    const head = `email\n${'a@example.com\n'.repeat(10)}"`;
    await expect(filter(streamed(head, 'x,\n', 16 * 1024 * 1024), 'text/csv')).rejects.toThrow(
      /destroyed/,
    );
  });

  it('refuses an unquoted CSV line without a line end past the limit', async () => {
    const res = await filter(streamed('email\n', 'x', 4 * MAX_RECORD_BYTES), 'text/csv');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^line 2: record too long/);
  });

  it('refuses a CSV header that never ends', async () => {
    const res = await filter(streamed('"email', 'x\n', 4 * MAX_RECORD_BYTES), 'text/csv');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^line 1: record too long/);
  });

  it('refuses an NDJSON line without a newline past the limit', async () => {
    const res = await filter(
      streamed('"a@example.com"\n{"address":"', 'y', 64 * 1024 * 1024),
      'application/x-ndjson',
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^line 2: record too long/);
  });

  it('still filters records that span many chunks but stay within the limit', async () => {
    const long = `"${'z'.repeat(100_000)}"`;
    const res = await filter(`email,note\nok@example.com,${long}\n`, 'text/csv');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(`email,note\nok@example.com,${long}\n`);
  });
});
