import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../helpers/dialects.js';
import { buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import {
  openFilterStream,
  type FilterStreamOptions,
} from '../../../src/services/presend/filter-stream.js';

const T0 = Date.UTC(2026, 10, 1);

/** The input as a stream of chunks of the given sizes, cycled (records, quotes and the BOM get split anywhere). */
async function* chunked(bytes: Buffer, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const n = sizes[k % sizes.length]!;
    // Plain Uint8Array views, as some streams give, not Buffers.
    yield new Uint8Array(bytes.buffer, bytes.byteOffset + at, Math.min(n, bytes.length - at));
    at += n;
  }
}

describe.each(testDialects())('CSV filtering from raw bytes on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock: new FixedClock(T0) });
    const by = { actor: 'test', note: 'fixture' };
    await t.services.suppressions.suppress({
      ...by,
      address: 'hard@example.com',
      reason: 'hard_bounce',
    });
    await t.services.suppressions.suppress({
      ...by,
      address: 'tëst@bücher.example',
      reason: 'unsubscribe',
    });
    await t.services.suppressions.suppress({
      ...by,
      address: '+15551234567',
      reason: 'sms_opt_out',
    });
  });
  afterAll(async () => t.close());

  async function run(
    input: AsyncIterable<Uint8Array | string> | Array<Uint8Array | string>,
    opts: Partial<FilterStreamOptions> = {},
  ): Promise<{ out: string; summary: unknown }> {
    const source = Array.isArray(input)
      ? (async function* () {
          yield* input;
        })()
      : input;
    const stream = await openFilterStream(t.services.filter, source, { format: 'csv', ...opts });
    const parts: Buffer[] = [];
    for await (const c of stream.rows) parts.push(typeof c === 'string' ? Buffer.from(c) : c);
    return { out: Buffer.concat(parts).toString('utf8'), summary: stream.summary };
  }

  const CSV = Buffer.from(
    [
      '\ufeffname,email,note\r\n',
      'A,ok1@example.com,x\r\n',
      'B,hard@example.com,x\r\n',
      '"C, quoted",HARD@Example.com,"multi\nline ""note"""\r\n',
      '\r\n',
      'D,tëst@bücher.example,ü\n',
      'E, ok2@example.com ,x\n',
      'F,+1 (555) 123-4567,x\n',
      'G,bad@,x\n',
      'H\n',
      'I,"unterminated,x\n',
      'J,ok3@example.com,last-without-newline',
    ].join(''),
    'utf8',
  );

  it('gives the same rows, bytes and summary however the input is chunked', async () => {
    const whole = await run(chunked(CSV, [CSV.length]));
    expect(whole.out).toBe('name,email,note\r\nA,ok1@example.com,x\r\nE, ok2@example.com ,x\n');
    // The unterminated quote of row I runs to the end: I and J are one (invalid) record.
    expect(whole.summary).toEqual({
      total: 9,
      allowed: 2,
      suppressed: 4,
      invalid: 3,
      by_reason: { hard_bounce: 2, unsubscribe: 1, sms_opt_out: 1 },
    });
    for (const sizes of [[1], [2], [3, 1], [7], [5, 11, 2], [64]])
      expect(await run(chunked(CSV, sizes))).toEqual(whole);
    // Text chunks (the CLI's stdin may give strings) behave the same.
    expect(await run([CSV.toString('utf8')])).toEqual(whole);
  });

  it('annotates every row with its decision and line, and ends the last row with a newline', async () => {
    const { out } = await run(chunked(CSV, [3]), { includeSuppressed: true });
    const lines = out.split(/\r?\n/);
    expect(lines[0]).toBe('name,email,note,bouncer_status,bouncer_reason');
    expect(out).toContain('A,ok1@example.com,x,allowed,\r\n');
    expect(out).toContain(
      '"C, quoted",HARD@Example.com,"multi\nline ""note""",suppressed,hard_bounce\r\n',
    );
    expect(out).toContain('F,+1 (555) 123-4567,x,suppressed,sms_opt_out\n');
    expect(out).toContain('H,invalid,"line 11: 1 fields, no column ""email"""\n');
    expect(out).toContain('G,bad@,x,invalid,empty domain\n');
    expect(
      out.endsWith(
        'I,"unterminated,x\nJ,ok3@example.com,last-without-newline,invalid,line 12: unterminated quoted field\n',
      ),
    ).toBe(true);
  });

  it('handles an empty body, a header alone, and blank lines only', async () => {
    expect(await run([])).toEqual({
      out: '',
      summary: { total: 0, allowed: 0, suppressed: 0, invalid: 0, by_reason: {} },
    });
    expect((await run([Buffer.from('email')])).out).toBe('email\n');
    expect((await run([Buffer.from('\n\r\nemail\n\n \n')])).out).toBe('email\n');
  });
});
