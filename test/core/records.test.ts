import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, RecordSplitter, type RawRecord } from '../../src/core/records.js';

function split(quoted: boolean, chunks: readonly string[]): RawRecord[] {
  const s = new RecordSplitter(quoted);
  const out: RawRecord[] = [];
  for (const c of chunks) s.push(c, out);
  return s.end(out);
}

/** Cuts `text` at the given offsets (sorted, deduplicated). */
function cut(text: string, at: number[]): string[] {
  const points = [...new Set(at.map((a) => a % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(text.slice(prev, p));
    prev = p;
  }
  out.push(text.slice(prev));
  return out;
}

describe('RecordSplitter', () => {
  it('gives the same records however the input is chunked', () => {
    const text = fc.stringMatching(/^[a-c",\r\n ]{0,60}$/);
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), (t, at, quoted) => {
        expect(split(quoted, cut(t, at))).toEqual(split(quoted, [t]));
      }),
      { numRuns: 100 },
    );
  });

  it('keeps quoted line ends inside a CSV record and counts its physical lines', () => {
    expect(split(true, ['a,"x\n', 'y"\r\nb\n'])).toEqual([
      { text: 'a,"x\ny"', eol: '\r\n', line: 1 },
      { text: 'b', eol: '\n', line: 3 },
    ]);
  });

  it('refuses a record past the limit even when it arrives one character at a time', () => {
    const s = new RecordSplitter(false);
    s.push('ok\n');
    expect(() => {
      for (let i = 0; i <= MAX_RECORD_BYTES; i++) s.push('x');
    }).toThrow(`line 2: record too long (more than ${MAX_RECORD_BYTES} bytes)`);
  });

  it('refuses an unterminated quote past the limit in one chunk', () => {
    const s = new RecordSplitter(true);
    expect(() => s.push(`"${'a\n'.repeat(MAX_RECORD_BYTES)}`)).toThrow(/^line 1: record too long/);
  });
});
