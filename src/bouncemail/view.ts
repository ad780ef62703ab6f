import { leaves, attachedOriginal, type Entity } from './mime.js';
import type { MailView } from './types.js';

/** HTML to rough text: enough to read a notice that comes only as text/html. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<br\s*\/?>|<\/(p|div|tr|li|h\d)>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/gi, '&')
    .replace(/[ \t]+/g, ' ');
}

const MAX_NOTICE_CHARS = 256_000;

export function viewOf(entity: Entity): MailView {
  const all = leaves(entity);
  const plain = all.filter((l) => l.type === 'text/plain' && !l.entity.message);
  // Bounded: a notice is a page of text; a huge quoted original must not cost the readers.
  let notice = plain
    .map((l) => l.text)
    .join('\n')
    .slice(0, MAX_NOTICE_CHARS);
  if (notice.trim() === '') {
    const html = all.find((l) => l.type === 'text/html');
    if (html) notice = htmlToText(html.text);
  }
  return {
    entity,
    headers: entity.headers,
    subject: (entity.headers.text('subject') ?? '').replace(/\s+/g, ' ').trim(),
    from: (entity.headers.text('from') ?? '').trim(),
    leaves: all,
    notice,
    original: attachedOriginal(entity),
  };
}
