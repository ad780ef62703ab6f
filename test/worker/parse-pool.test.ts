import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParseError } from '../../src/core/errors.js';
import { createBounceMailAdapter } from '../../src/providers/bounce-mail/bounce-mail.adapter.js';
import type { ParseOffload, ProviderEndpoint } from '../../src/providers/types.js';
import { createParsePool, type ParsePool } from '../../src/worker/parse-pool.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';
import { testDialects } from '../helpers/dialects.js';

const DSN = readFileSync(join(import.meta.dirname, '../fixtures/bounce-mail/rfc3464-dsn.eml'));
/** The DSN grown past the offload threshold by a long trailing text part. */
const LARGE_DSN = Buffer.concat([DSN, Buffer.from(`\n${'padding line\n'.repeat(10_000)}`)]);
const CTX = { defaultPhoneRegion: 'US' };
const endpoint = {
  id: 'bounce-mail',
  adapter: createBounceMailAdapter({ verp: null }),
} as ProviderEndpoint;
const req = (rawBody: Buffer) => ({
  rawBody,
  headers: {},
  url: '/webhooks/bounce-mail',
  params: {},
  receivedAt: 1_700_000_000_000,
});

describe('the bounce-mail parse pool', () => {
  let pool: ParsePool;
  beforeAll(() => {
    pool = createParsePool({ minBytes: 64 * 1024, threads: 1, verp: null });
  });
  afterAll(() => pool.close());

  it('takes only bounce mail at or above the threshold', () => {
    expect(pool.accepts(endpoint, req(DSN))).toBe(false);
    expect(pool.accepts(endpoint, req(LARGE_DSN))).toBe(true);
    const other = { ...endpoint, adapter: { ...endpoint.adapter, name: 'sendgrid' } };
    expect(pool.accepts(other, req(LARGE_DSN))).toBe(false);
  });

  it('answers in a thread what the adapter answers inline', async () => {
    const inline = endpoint.adapter.parse(req(LARGE_DSN), CTX);
    expect(await pool.parse(endpoint, req(LARGE_DSN), CTX)).toEqual(inline);
  });

  it('rejects with a ParseError where the adapter throws one', async () => {
    const junk = Buffer.from(`From: a@example.org\n\n${'hello\n'.repeat(20_000)}`);
    await expect(pool.parse(endpoint, req(junk), CTX)).rejects.toBeInstanceOf(ParseError);
  });
});

describe.each(testDialects())('large bounce mail through the pool on %s', (dialect) => {
  let t: TestApp;
  let pool: ParsePool;
  let offloaded = 0;
  beforeAll(async () => {
    pool = createParsePool({ minBytes: 64 * 1024, threads: 1, verp: null });
    const counting: ParseOffload = {
      accepts: (e, r) => pool.accepts(e, r),
      parse: (e, r, c) => {
        offloaded += 1;
        return pool.parse(e, r, c);
      },
    };
    t = await buildTestApp(dialect, { services: { parseOffload: counting } });
  });
  afterAll(async () => {
    await t.close();
    await pool.close();
  });

  it('is parsed off the event loop at ingest and in the worker, and suppresses the recipient', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhooks/bounce-mail',
      payload: LARGE_DSN,
      headers: { 'content-type': 'message/rfc822', ...auth() },
    });
    expect(res.statusCode).toBe(200);
    await t.drain();
    expect(offloaded).toBe(2);
    expect(await t.services.suppressions.status('unknown.user@example.net')).toMatchObject({
      suppressed: true,
    });
  });
});
