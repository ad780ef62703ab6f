import { parseEntity, type Entity } from '../mime.js';
import { ADDRESS_SOURCE, EMAIL_IN_TEXT } from '../text.js';
import type { Finding, MailView } from '../types.js';

/**
 * The generic reader of human-readable bounce notices. Most MTAs that do not send RFC 3464
 * reports still follow one of a few layouts: a list of failed addresses, each on its own line
 * (bare, `<addr>:`, `addr on <date>`, `addr [reason]`) followed by indented error lines, and/or
 * a session transcript (`>>> RCPT TO:<addr>` / `<<< 550 …`, `550 5.1.1 <addr>... User unknown`),
 * then a marker after which the original message is quoted.
 */

/** Lines after which the original message follows. */
const ORIGINAL_MARKERS: readonly RegExp[] = [
  /^-+ ?this is a copy of (the|your) message/i,
  /^-* ?(original message|original mail info|original mail)\b/i,
  /^-+ ?below (this|the next) line is a copy of the (message|mail header)/i,
  /^-+ ?mensaje original adjunto/i,
  /^message headers follow/i,
  /^-+ ?the (header|headers) of the original message/i,
  /^-* ?unsent message follows/i,
  /^-* ?(returned|undelivered|rejected|original) message( headers?)?( follows?)?\s*-*$/i,
  /^\|?-* ?message header follows/i,
  /^-+ ?original message header/i,
  /^included is a copy of the message header/i,
  /^-+ ?(the )?original message (was|is) (attached|below|included)/i,
  /^\s*content-type: message\/rfc822/i,
  /^-+ ?Urspr(ü|u)ngliche Nachricht/i,
  /^-{3,}original message-{3,}$/i,
  /^\[original message\]|^-+ ?message text follows/i,
  /^below is a copy of the original message/i,
  /^-+ ?(original message headers|headers of the original message)/i,
];

export interface SplitNotice {
  notice: string;
  original: Entity | null;
}

/** Splits a notice at the first original-message marker; the rest is parsed as a message. */
export function splitOriginal(text: string, extra: readonly RegExp[] = []): SplitNotice {
  const lines = text.split('\n');
  const markers = [...extra, ...ORIGINAL_MARKERS];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (markers.some((m) => m.test(line))) {
      const rest = lines
        .slice(i + 1)
        .join('\n')
        .replace(/^\s*-{3,}\s*\n/, '');
      const original = /^[\s\n]*[A-Za-z][\w-]*:/.test(rest)
        ? parseEntity(rest.replace(/^\s+/, ''))
        : null;
      return {
        notice: lines.slice(0, i).join('\n'),
        original: original && original.headers.fields.length > 0 ? original : null,
      };
    }
  }
  return { notice: text, original: null };
}

const ADDR = ADDRESS_SOURCE;
/** Longer lines are read only this far: RFC 5321 lines are at most 1,000 octets. */
const MAX_LINE_CHARS = 4_000;
/** A line that names a failed recipient, and where the address is. */
/** Inline in a sentence: `… from <sender> to a@b was rejected` (senders are excluded). */
const INLINE_TO = new RegExp(`(?:^|[^\\s])[ \\t]to[ \\t]{1,4}<?(${ADDR})>?(?=[\\s,;:.]|$)`, 'i');
const RECIPIENT_LINES: readonly RegExp[] = [
  // bare address, `<addr>`, `"addr":`, `* addr`, `>>> addr <addr>`, `addr on <date>`, `addr [reason]`
  new RegExp(`^[\\s*>\\-•"'<(]*(${ADDR})(?:[>"')]*(?:\\.\\.\\.)?:?)(?:\\s|$)`),
  // sendmail-style `550 5.1.1 <addr>... User unknown` (only at the left margin)
  new RegExp(
    `^(?:<<<\\s*)?[45]\\d\\d[ -](?:[45]\\.\\d{1,3}\\.\\d{1,3}\\s+)?<(${ADDR})>(?:\\.\\.\\.|:)`,
  ),
  // the address closes the line after a colon: `User's mailbox is full: <addr>`
  new RegExp(`:\\s*<(${ADDR})>\\s*$`),
  // a labelled address without brackets: `Recipient: a@b`, `Failed address: a@b`
  new RegExp(
    `(?:recipient|rcpt(?: to)?|(?:failed|invalid|unknown|intended) address(?:es)?)s?:[ \\t]{0,8}(${ADDR})[\\s,;.]*$`,
    'i',
  ),
  // `Your message to: a@b`, `The address a@b is not available` (not a header line: see SENDER_CONTEXT)
  new RegExp(`[^\\s-][ \\t]{0,4}to:[ \\t]{0,8}<?(${ADDR})>?(?=[\\s,;.]|$)`, 'i'),
  new RegExp(`address[ \\t]{1,4}<?(${ADDR})>?[ \\t]{1,4}(?:is|was|does|could|has)\\b`, 'i'),
  INLINE_TO,
  // labelled: `RCPT TO: addr`, `Could not be delivered to: <addr>`, `Recipient: addr`
  new RegExp(
    `(?:rcpt to|recipient(?: address)?|\\[status: \\w+, address:|could not be delivered to|deliver(?:ing)? (?:your |the )?(?:message |mail )?to|^\\s*(?:unknown user|user unknown|mailbox full|invalid (?:recipient|address)|undeliverable to|failed to deliver to)|delivery to|failed recipient|original-recipient|addressed to|errors:|;cat:smtp=|:smtp=)\\s*:?\\s*<?(${ADDR})`,
    'i',
  ),
];

// `.{0,200}?`, not `.*`: each "received at" would otherwise scan to the end of the line.
const SENDER_CONTEXT =
  /mail from|envelope[- ]from|envelope sender|^\s*from:?\s|return-path|sender:|reply-to|^\s*to:|received at .{0,200}? from/i;
/** Lines that name the sender: their addresses are excluded everywhere in the notice. */
const SENDER_LINE = /mail from|envelope[- ]from|envelope sender|return-path|^\s*from:\s*</i;
/** Header lines quoted in a notice (ids, references): never a recipient line. */
const HEADER_LINE =
  /^\s*(message-id|in-reply-to|references|x-[\w-]+|list-[\w-]+|dkim-signature|received|sender|cc|bcc|date|subject)\s*:/i;

/** Session transcript lines: commands sent, replies received, per-host summaries. */
const TRANSCRIPT_LINE = /^\s*(<<<|>>>)|^\s*[45]\d\d [^\s<@]+ \(\w+\)\.\.\./;

/** Boilerplate that introduces the list of addresses: it says nothing about why. */
const LIST_INTRO =
  /following (recipient|address)|recipients were affected|delivery status notification|automatically generated|could not be delivered to one or more|permanent error/i;

export interface NoticeOptions {
  /** Addresses that are never the failed recipient (the report's own From, the original sender). */
  exclude?: readonly string[];
  /** Only lines after the first match of this pattern are read. */
  start?: RegExp;
  /** Lines from here on are not read. */
  end?: RegExp;
}

interface Block {
  recipient: string;
  lines: string[];
  /** Lines of the same section before the address (Notes and others give the reason first). */
  before: string[];
}

function recipientOnLine(
  raw: string,
  indented: boolean,
  exclude: ReadonlySet<string>,
): string | null {
  if (HEADER_LINE.test(raw)) return null;
  if (SENDER_CONTEXT.test(raw)) {
    // "Mail from <sender> to <rcpt> failed": the address after "to" (senders are excluded).
    if (/^\s*(to|from|reply-to|sender|return-path)\s*:/i.test(raw)) return null;
    const addr = INLINE_TO.exec(raw.slice(0, 1_000))?.[1]?.replace(/\.+$/, '').toLowerCase();
    return addr && !exclude.has(addr) ? addr : null;
  }
  for (const [i, re] of RECIPIENT_LINES.entries()) {
    if (i === 1 && indented) continue;
    const m = re.exec(raw);
    const addr = m?.[1]?.replace(/\.+$/, '').toLowerCase();
    if (addr && !exclude.has(addr)) return addr;
  }
  return null;
}

/** Reads failed recipients and the lines that explain each failure. */
export function scanNotice(text: string, opts: NoticeOptions = {}): Finding[] {
  const exclude = new Set((opts.exclude ?? []).map((a) => a.toLowerCase()));
  // A forwarded notice is quoted ("> "): read it unquoted.
  let lines = text.split('\n').map((l) => l.slice(0, MAX_LINE_CHARS).replace(/^(>[ \t]?)+/, ''));
  if (opts.start) {
    const at = lines.findIndex((l) => opts.start?.test(l));
    if (at === -1) return [];
    lines = lines.slice(at + 1);
  }
  if (opts.end) {
    const at = lines.findIndex((l) => opts.end?.test(l));
    if (at !== -1) lines = lines.slice(0, at);
  }
  // Addresses the notice shows as the sender (">>> MAIL From:<a>", "envelope-from <a>") are
  // never recipients, even where a reply quotes them like one ("501 <a>... no access").
  for (const l of lines) {
    if (!SENDER_LINE.test(l)) continue;
    // "Mail from <sender> to <rcpt>": the address after "to" is the recipient, not a sender.
    const to = /^\s*(from|return-path)\s*:/i.test(l)
      ? null
      : INLINE_TO.exec(l.slice(0, 1_000))?.[1]?.toLowerCase();
    for (const m of l.matchAll(EMAIL_IN_TEXT))
      if (m[0].toLowerCase() !== to) exclude.add(m[0].toLowerCase());
  }
  const blocks: Block[] = [];
  let current: Block | null = null;
  // Sendmail transcripts print the server's reply ("<<< 550 …") before the summary line that
  // names the address ("550 <a>... User unknown"): such lines wait for the next address line.
  let pending: string[] = [];
  let section: string[] = [];
  for (const raw of lines) {
    const indented = /^\s{2,}/.test(raw) && current !== null;
    const addr = recipientOnLine(raw, indented && !/^\s*[^\s@]+@[^\s@]+\s*$/.test(raw), exclude);
    if (addr) {
      const existing: Block | undefined = blocks.find((b) => b.recipient === addr);
      const next: Block = existing ?? {
        recipient: addr,
        lines: [],
        before: section.filter((l) => !LIST_INTRO.test(l)).slice(-3),
      };
      if (!existing) blocks.push(next);
      next.lines.push(...pending, raw.trim());
      pending = [];
      section = [];
      current = next;
      continue;
    }
    if (/^\s*[-=*_#]{3,}/.test(raw)) section = [];
    else if (raw.trim() !== '') section.push(raw.trim());
    if (TRANSCRIPT_LINE.test(raw)) pending.push(raw.trim());
    else if (current) current.lines.push(raw.trim());
  }
  if (current && pending.length > 0) current.lines.push(...pending);
  return blocks.map((b) => {
    const diagnostic = trimBlock(b.lines);
    const saysMore =
      diagnostic
        .toLowerCase()
        .split(b.recipient)
        .join('')
        .replace(/[\s<>"'*:;,.()[\]-]+/g, '') !== '';
    return {
      recipient: b.recipient,
      diagnostic:
        saysMore || b.before.length === 0 ? diagnostic : `${b.before.join(' ')} ${diagnostic}`,
    };
  });
}

/** A block's useful lines: stop at the second blank line or at a separator after some text. */
function trimBlock(lines: string[]): string {
  const out: string[] = [];
  let blanks = 0;
  for (const l of lines) {
    if (l === '') {
      if (++blanks >= 2 && out.length > 1) break;
      continue;
    }
    if (/^[-=*_#]{5,}/.test(l) && out.length > 1) break;
    blanks = 0;
    out.push(l);
    if (out.length >= 12) break;
  }
  return out.join(' ');
}

/** Addresses that are never the failed recipient: the mail system's own address. */
/**
 * Addresses a notice lists on a line of their own (`a@b`, `<a@b>:`, `a@b ...`), as failed-address
 * lists do: a recipient even when it is also the sender (mail to oneself), unlike a mention in a
 * sentence ("Dear a@b", "a message sent by a@b"). Lines are capped, the pattern is linear.
 */
export function listedAddresses(notice: string): Set<string> {
  const out = new Set<string>();
  const line = new RegExp(`^[ \\t]{0,8}[<"]?(${ADDR})[>"]?[ \\t]{0,4}(?::|\\.\\.\\.)?[ \\t]*$`);
  for (const l of notice.split('\n')) {
    const m = l.length <= 300 ? line.exec(l) : null;
    if (m?.[1]) out.add(m[1].toLowerCase());
  }
  return out;
}

export function senderAddresses(mail: MailView, original: Entity | null): string[] {
  const emails = (v: string | null | undefined): string[] =>
    [...(v ?? '').slice(0, 2_000).matchAll(EMAIL_IN_TEXT)].map((m) => m[0].toLowerCase());
  const h = mail.headers;
  const own = ['from', 'reply-to', 'sender', 'to'].flatMap((n) => emails(h.get(n)));
  const o = original?.headers;
  // The original's addressees are kept even when they are also its sender: people test with
  // mail to themselves.
  const addressees = new Set(['to', 'cc'].flatMap((n) => emails(o?.get(n))));
  const theirs = ['from', 'sender', 'reply-to', 'return-path'].flatMap((n) => emails(o?.get(n)));
  return [...own, ...theirs].filter((a) => !addressees.has(a));
}
