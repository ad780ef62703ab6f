/** How much of a provider's error body goes into a push's or pull's error message. */
const MAX_BODY_CHARS = 300;

const ADDRESS = /[^\s"'<>,;:()[\]{}]+@[^\s"'<>,;:()[\]{}]+/g;

/**
 * A provider's error body as one short line for `last_error` and the logs: JSON bodies are
 * re-serialised, any email address in them (some providers echo the recipient) is masked, and
 * the text is cut to 300 characters.
 */
export function errorBodyText(body: unknown): string {
  if (body === null || body === undefined || body === '') return '';
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return maskAddresses(text).replace(/\s+/g, ' ').slice(0, MAX_BODY_CHARS);
}

/**
 * Anything shaped like an email address replaced by `<address>` (messages end up in logs). Only
 * the first few KiB are looked at, so a huge error page costs nothing: the scan backtracks over
 * each run without an `@`.
 */
export function maskAddresses(text: string): string {
  return text.slice(0, 4 * MAX_BODY_CHARS).replace(ADDRESS, '<address>');
}
