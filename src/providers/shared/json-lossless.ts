import { ParseError } from '../../core/errors.js';

/** Digits beyond which an integer literal may not survive a double (2^53 has 16 digits). */
const MAX_SAFE_DIGITS = 15;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * JSON text with every integer literal that a double cannot hold exactly (above 2^53, such as
 * Postmark's bounce `ID` or Mailjet's `MessageID`) turned into a JSON string of the same digits.
 * One pass over the text, outside strings only; fractions and exponents are left alone (they are
 * never ids). Invalid JSON stays invalid, so JSON.parse still reports it.
 */
export function quoteUnsafeIntegers(text: string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string, honouring escapes.
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++;
      continue;
    }
    if (c === 0x2d || isDigit(c)) {
      const start = i;
      if (c === 0x2d) i++;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      const next = i < n ? text.charCodeAt(i) : 0;
      const fractional = next === 0x2e || next === 0x65 || next === 0x45;
      const digits = i - start - (c === 0x2d ? 1 : 0);
      if (!fractional && digits > MAX_SAFE_DIGITS) {
        const literal = text.slice(start, i);
        if (!Number.isSafeInteger(Number(literal))) {
          out += text.slice(copied, start) + '"' + literal + '"';
          copied = i;
        }
      }
      while (i < n && /[0-9.eE+-]/.test(text[i] ?? '')) i++;
      continue;
    }
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Parse a raw JSON body keeping large integer ids exact (as strings). Use it for every provider
 * whose ids can exceed 2^53: never key on a number a plain JSON.parse rounded.
 */
export function parseJsonLossless(raw: Buffer | string): unknown {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (text.length === 0) throw new ParseError('empty body');
  try {
    return JSON.parse(quoteUnsafeIntegers(text));
  } catch (err) {
    throw new ParseError(`body is not valid JSON: ${(err as Error).message}`);
  }
}

/** An id field as text: strings as they are, safe integers in decimal, anything else undefined. */
export function idText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/** An id or text field, trimmed-empty as null (for fields providers send as `""` or `0`-less ids). */
export function textOrNull(value: unknown): string | null {
  const s = idText(value);
  return s === undefined || s.trim() === '' ? null : s;
}
