import {
  AWS_OPT_OUT_MAX_BYTES,
  looksLikeAwsOptOutList,
  parseAwsOptOutList,
} from '../../core/aws-opt-out-lists.js';
import type { ImportKind } from '../../core/import-formats.js';

const AWS_HEAD_CHARS = 256;
/** A record the input reader made to report why the whole input is unusable. */
export const INPUT_ERROR_KEY = '__bouncer_input_error';

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

async function* replay(
  head: readonly (Uint8Array | string)[],
  rest: AsyncIterator<Uint8Array | string>,
): AsyncGenerator<Uint8Array | string> {
  yield* head;
  for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
}

/**
 * An AWS opt-out list export (one JSON document, usually pretty-printed) read whole and turned
 * into NDJSON records; any other input is passed on untouched. Only the document is buffered,
 * up to AWS_OPT_OUT_MAX_BYTES: an oversize or malformed one becomes one invalid line.
 */
export async function awsOptOutListOr(
  input: AsyncIterable<Uint8Array | string>,
): Promise<{ input: AsyncIterable<Uint8Array | string>; kind?: ImportKind }> {
  const it = input[Symbol.asyncIterator]();
  const decoder = new TextDecoder('utf-8');
  const head: (Uint8Array | string)[] = [];
  let text = '';
  let ended = false;
  while (text.length < AWS_HEAD_CHARS) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    head.push(r.value);
    text += typeof r.value === 'string' ? r.value : decoder.decode(r.value, { stream: true });
  }
  if (!looksLikeAwsOptOutList(text)) return { input: replay(head, it) };
  let bytes = Buffer.byteLength(text);
  while (!ended) {
    const r = await it.next();
    if (r.done) break;
    text += typeof r.value === 'string' ? r.value : decoder.decode(r.value, { stream: true });
    bytes += typeof r.value === 'string' ? Buffer.byteLength(r.value) : r.value.length;
    if (bytes > AWS_OPT_OUT_MAX_BYTES)
      return {
        input: once(
          JSON.stringify({
            [INPUT_ERROR_KEY]: `AWS opt-out list larger than ${AWS_OPT_OUT_MAX_BYTES} bytes`,
          }),
        ),
      };
  }
  text += decoder.decode();
  const parsed = parseAwsOptOutList(text);
  if (!parsed.ok)
    return {
      input: once(JSON.stringify({ [INPUT_ERROR_KEY]: `AWS opt-out list: ${parsed.error}` })),
    };
  return {
    input: once(parsed.records.map((r) => JSON.stringify(r)).join('\n')),
    kind: parsed.kind,
  };
}
