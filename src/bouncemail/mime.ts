import {
  type Headers,
  decodeBase64,
  decodeCharset,
  decodeQuotedPrintable,
  parseContentType,
  parseHeaderBlock,
  splitHeaderBody,
} from './headers.js';

/**
 * A small MIME walker (RFC 2045/2046): enough structure to find the human-readable notice, the
 * machine-readable report parts and the attached original message of a bounce. Works on a binary
 * string (latin1, one char per byte) whose line ends were normalised to LF first, so CRLF and
 * CR-only copies of a message parse identically.
 */
export interface Entity {
  headers: Headers;
  type: string;
  params: Record<string, string>;
  /** Body as a binary string, still transfer-encoded. */
  rawBody: string;
  parts: Entity[];
  /** The inner message of message/rfc822 (or the header block of text/rfc822-headers). */
  message: Entity | null;
}

export interface Leaf {
  type: string;
  /** Decoded body text with LF line ends. */
  text: string;
  entity: Entity;
}

const MAX_DEPTH = 8;

/** Latin1 "binary string" of the raw bytes with CRLF and lone CR turned into LF. */
export function toBinaryLf(raw: Buffer): string {
  return raw.toString('latin1').replace(/\r\n?/g, '\n');
}

export function parseEntity(text: string, depth = 0): Entity {
  const { head, body } = splitHeaderBody(text.replace(/^\n+/, ''));
  // A block that does not start with a header line is all body (seen in broken relays).
  const headers = parseHeaderBlock(head);
  const noHeaders = headers.fields.length === 0;
  const ct = parseContentType(headers.get('content-type'));
  const entity: Entity = {
    headers,
    type: ct.type,
    params: ct.params,
    rawBody: noHeaders ? text : body,
    parts: [],
    message: null,
  };
  if (depth >= MAX_DEPTH) return entity;
  if (ct.type.startsWith('multipart/')) {
    let parts = splitMultipart(entity.rawBody, ct.params['boundary']);
    // A boundary parameter that the body does not use (seen in Postfix relays): take the body's.
    if (parts.length === 0 && ct.params['boundary'])
      parts = splitMultipart(entity.rawBody, undefined);
    if (parts.length > 0) entity.parts = parts.map((p) => parseEntity(p, depth + 1));
    // No delimiters at all: the body is read as text.
    else entity.type = 'text/plain';
  } else if (
    ct.type === 'message/rfc822' ||
    ct.type === 'message/global' ||
    ct.type === 'message/partial'
  ) {
    entity.message = parseEntity(transferDecoded(entity).replace(/\r\n?/g, '\n'), depth + 1);
  } else if (/^(text|message)\/(rfc822-headers|global-headers)$/.test(ct.type)) {
    const inner = transferDecoded(entity).replace(/\r\n?/g, '\n').replace(/^\n+/, '');
    entity.message = {
      headers: parseHeaderBlock(splitHeaderBody(inner).head),
      type: 'text/plain',
      params: {},
      rawBody: '',
      parts: [],
      message: null,
    };
  }
  return entity;
}

function splitMultipart(body: string, boundary: string | undefined): string[] {
  let b = boundary;
  if (!b) {
    // Missing boundary parameter: take the first delimiter-looking line.
    const m = /^--([^\s]+)\s*$/m.exec(body);
    if (!m) return [];
    b = m[1] ?? '';
  }
  const lines = body.split('\n');
  const parts: string[] = [];
  let current: string[] | null = null;
  const delim = `--${b}`;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === delim || trimmed === `${delim}--`) {
      if (current) parts.push(current.join('\n'));
      current = trimmed === delim ? [] : null;
      if (trimmed !== delim) break;
      continue;
    }
    if (current) current.push(line);
  }
  if (current && current.length > 0) parts.push(current.join('\n'));
  return parts;
}

/** Body with Content-Transfer-Encoding undone (still bytes as a binary string). */
export function transferDecoded(entity: Entity): string {
  const cte = (entity.headers.get('content-transfer-encoding') ?? '').toLowerCase().trim();
  if (cte === 'base64') return decodeBase64(entity.rawBody);
  if (cte === 'quoted-printable') return decodeQuotedPrintable(entity.rawBody);
  return entity.rawBody;
}

/** Body decoded to text (transfer encoding, then charset) with LF line ends. */
export function decodedText(entity: Entity): string {
  return decodeCharset(transferDecoded(entity), entity.params['charset']).replace(/\r\n?/g, '\n');
}

/**
 * The leaves of the tree in order. An attached message (message/rfc822) is a leaf: its own parts
 * belong to the original mail, not to the report.
 */
export function leaves(entity: Entity): Leaf[] {
  if (entity.parts.length > 0) return entity.parts.flatMap((p) => leaves(p));
  if (entity.message) return [{ type: entity.type, text: '', entity }];
  return [{ type: entity.type, text: decodedText(entity), entity }];
}

/** The attached original message (or its headers), when the report carries one. */
export function attachedOriginal(entity: Entity): Entity | null {
  for (const leaf of leaves(entity)) if (leaf.entity.message) return leaf.entity.message;
  return null;
}

/** `From sender asctime-date`: a body paragraph starting with "From the team," is not one. */
const MBOX_SEPARATOR =
  /^From \S*\s+(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+\w{3}\s+\d{1,2}\s+\d{1,2}:\d{2}/;

/**
 * Split an mbox file at its "From " separator lines (mboxo and mboxrd), undoing mboxrd's
 * ">From " quoting. A file without separators is one message.
 */
export function splitMbox(raw: Buffer): Buffer[] {
  const text = toBinaryLf(raw);
  const lines = text.split('\n');
  const messages: string[][] = [];
  let current: string[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const prev = lines[i - 1] ?? '';
    // Some mailboxes write the next separator straight after a message's closing MIME boundary
    // (RFC 2046 §5.1.1 `--boundary--`), without the blank line mboxo expects.
    const atBoundary =
      i === 0 ||
      prev === '' ||
      current === null ||
      (prev.length <= 200 && /^--\S+--\s*$/.test(prev));
    if (MBOX_SEPARATOR.test(line) && atBoundary) {
      current = [];
      messages.push(current);
      continue;
    }
    if (!current) {
      current = [];
      messages.push(current);
    }
    current.push(/^>+From /.test(line) ? line.slice(1) : line);
  }
  return messages
    .map((m) => m.join('\n').replace(/\n+$/, '\n'))
    .filter((m) => m.trim() !== '')
    .map((m) => Buffer.from(m, 'latin1'));
}
