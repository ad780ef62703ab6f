/**
 * RFC 5322 header blocks: unfolding, lookup by case-insensitive name, RFC 2047 encoded words and
 * RFC 2231 parameters. Input is a "binary string" (one char per byte, latin1) with LF line ends.
 */

export interface HeaderField {
  name: string;
  value: string;
}

export class Headers {
  constructor(readonly fields: readonly HeaderField[]) {}

  /** First value of a header, unfolded and trimmed (raw, encoded words left alone). */
  get(name: string): string | null {
    const lower = name.toLowerCase();
    for (const f of this.fields) if (f.name === lower) return f.value;
    return null;
  }

  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    return this.fields.filter((f) => f.name === lower).map((f) => f.value);
  }

  /** First value with raw 8-bit bytes read as UTF-8 and RFC 2047 encoded words decoded. */
  text(name: string): string | null {
    const v = this.get(name);
    return v === null ? null : decodeWords(decodeCharset(v, null));
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }
}

const FIELD_LINE = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:[ \t]*(.*)$/;

/** Parse a header block (no trailing body). Lines that are neither fields nor folds are dropped. */
export function parseHeaderBlock(block: string): Headers {
  const fields: HeaderField[] = [];
  for (const line of block.split('\n')) {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last) {
      last.value += ' ' + line.trim();
      continue;
    }
    const m = FIELD_LINE.exec(line);
    if (m) fields.push({ name: (m[1] ?? '').toLowerCase(), value: (m[2] ?? '').trim() });
  }
  return new Headers(fields.map((f) => ({ name: f.name, value: f.value.trim() })));
}

/** Split "headers\n\nbody" at the first empty line. */
export function splitHeaderBody(text: string): { head: string; body: string } {
  const idx = text.search(/\n[ \t]*\n/);
  if (idx === -1) return { head: text, body: '' };
  const m = /\n[ \t]*\n/.exec(text.slice(idx));
  return { head: text.slice(0, idx), body: text.slice(idx + (m?.[0].length ?? 2)) };
}

/** Bytes held in a binary string, decoded from `charset` (full ICU), falling back to UTF-8/latin1. */
export function decodeCharset(binary: string, charset: string | null | undefined): string {
  const bytes = Buffer.from(binary, 'latin1');
  const cs = (charset ?? '')
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '');
  if (cs === '' || cs === 'us-ascii' || cs === 'ascii') {
    // Undeclared 8-bit text is most often UTF-8 in practice.
    return /[\x80-\xff]/.test(binary) ? decodeOr(bytes, 'utf-8', binary) : binary;
  }
  // ISO-2022 is 7-bit: 8-bit bytes under that label are really UTF-8 (mislabelled relays).
  if (cs.startsWith('iso-2022') && /[\x80-\xff]/.test(binary)) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // not UTF-8 either: fall through to the declared charset
    }
  }
  return decodeOr(bytes, cs, binary);
}

function decodeOr(bytes: Buffer, charset: string, fallback: string): string {
  try {
    return new TextDecoder(charset === 'utf8' ? 'utf-8' : charset, { fatal: false }).decode(bytes);
  } catch {
    try {
      return new TextDecoder('utf-8').decode(bytes);
    } catch {
      return fallback;
    }
  }
}

export function decodeQuotedPrintable(input: string, inHeader = false): string {
  const s = inHeader
    ? input.replace(/_/g, ' ')
    : input.replace(/[ \t]+\n/g, '\n').replace(/=\n/g, '');
  return s.replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

export function decodeBase64(input: string): string {
  return Buffer.from(input.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('latin1');
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

/** Decode RFC 2047 encoded words; whitespace between adjacent encoded words is dropped. */
export function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  const joined = value.replace(/(\?=)\s+(=\?)/g, '$1$2');
  return joined.replace(ENCODED_WORD, (_m, charset: string, enc: string, data: string) => {
    const bin = enc.toLowerCase() === 'b' ? decodeBase64(data) : decodeQuotedPrintable(data, true);
    return decodeCharset(bin, charset.replace(/\*.*$/, ''));
  });
}

/** `text/plain; charset="x"; boundary=...` → type (lower-cased) and parameters (names lower-cased). */
export function parseContentType(value: string | null): {
  type: string;
  params: Record<string, string>;
} {
  if (!value) return { type: 'text/plain', params: {} };
  const [first, ...rest] = splitParams(value);
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq === -1) continue;
    let name = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2)
      v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    // RFC 2231 continuations/charset (name*0*, name*): join and decode percent escapes.
    const star = /^([^*]+)\*(\d+)?\*?$/.exec(name);
    if (star) {
      name = star[1] ?? name;
      if (p.slice(0, eq).trim().endsWith('*'))
        v = v
          .replace(/^[^']*'[^']*'/, '')
          .replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
      params[name] = (params[name] ?? '') + v;
      continue;
    }
    params[name] = v;
  }
  // Only the type/subtype token: a folded header missing its ";" must not glue params on.
  const type = /^\s*([\w.+-]+\/[\w.+-]+)/.exec((first ?? '').toLowerCase())?.[1];
  return { type: type ?? 'text/plain', params };
}

function splitParams(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
