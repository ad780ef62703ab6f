/**
 * Small text helpers shared by the formats: addresses, status and reply codes in free text,
 * and the lines of a notice that talk about one recipient.
 */
/** An address, for patterns that place it after a fixed prefix (`<`, `smtp=`, a label). */
export const ADDRESS_SOURCE =
  "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+";

// The lookbehind makes a match start only where a run of local-part characters starts: without
// it a long run with no `@` is rescanned from every position (quadratic; a 147 KB header field
// took 40 s). A run either reaches an `@` or fails once.
export const EMAIL_IN_TEXT = new RegExp(
  `(?<![A-Za-z0-9.!#$%&'*+/=?^_\`{|}~-])${ADDRESS_SOURCE}`,
  'g',
);

export function emailsIn(text: string): string[] {
  return [...text.matchAll(EMAIL_IN_TEXT)].map((m) => m[0].replace(/\.+$/, ''));
}

export function firstEmail(text: string): string | null {
  return emailsIn(text)[0] ?? null;
}

/** The first RFC 3463 code in a text (not a Sisimai pseudo code, not part of an IP or version). */
export function statusIn(text: string | null | undefined): string | null {
  if (!text) return null;
  const re = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)/g;
  let success: string | null = null;
  for (const m of text.matchAll(re)) {
    const [, c, s, d] = m;
    if (Number(s) > 7) continue;
    const code = `${c}.${Number(s)}.${Number(d)}`;
    // A transcript quotes successes before the failure: the failure's code is the one.
    if (c === '2') success ??= code;
    else return code;
  }
  return success;
}

/** Every RFC 3463 code in a text, failures first. */
export function statusesIn(text: string | null | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const m of text.matchAll(/(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)/g)) {
    if (Number(m[2]) > 7) continue;
    out.push(`${m[1]}.${Number(m[2])}.${Number(m[3])}`);
  }
  return [...out.filter((c) => c[0] !== '2'), ...out.filter((c) => c[0] === '2')];
}

/** The first SMTP reply code (4xx/5xx, or 2xx for delivered) in a text. */
export function replyCodeIn(text: string | null | undefined): string | null {
  if (!text) return null;
  const re = /(?:^|[\s:;([<"'#=])([245][0-7]\d)(?=[\s-]|$)(?![-.]\d)/gm;
  let success: string | null = null;
  for (const m of text.matchAll(re)) {
    const code = m[1] ?? '';
    if (code.startsWith('2')) success ??= code;
    else return code;
  }
  return success;
}

/** Lines mentioning an address, and the lines after it up to a blank line (at most `max`). */
export function linesAbout(text: string, address: string, max = 6): string | null {
  const lines = text.split('\n');
  const lower = address.toLowerCase();
  const at = lines.findIndex((l) => l.toLowerCase().includes(lower));
  if (at === -1) return null;
  const out: string[] = [];
  for (let i = at; i < lines.length && out.length < max; i++) {
    const l = (lines[i] ?? '').trim();
    if (l === '' && i > at) break;
    out.push(l);
  }
  return out.join(' ').trim() || null;
}

export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * One line of a multi-line SMTP reply: the `550-5.7.1 ` / `550 5.7.1 ` prefixes repeated on each
 * continuation line are dropped so phrases split across lines match again.
 */
export function joinReplyLines(text: string): string {
  let first: string | null = null;
  return (
    text
      .replace(
        /(^|\s)([245]\d\d)[ -]([245]\.\d{1,3}\.\d{1,3})\s+/g,
        (all, lead: string, code: string, status: string) => {
          const key = `${code} ${status}`;
          if (first === null) {
            first = key;
            return all;
          }
          // Only a repeat of the same reply is a continuation; another code is another reply.
          return key === first ? lead : all;
        },
      )
      // Bounded: an unbounded lazy `.*?` rescans the rest of the text from every `550-`.
      .replace(
        /(^|\s)([45]\d\d)-(\S.{0,500}?)\s\2\s/g,
        (_all, lead: string, code: string, rest: string) => `${lead}${code}-${rest} `,
      )
  );
}
