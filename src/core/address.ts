import { domainToASCII } from 'node:url';
import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js';

export const CHANNELS = ['email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

export type Normalised =
  { ok: true; channel: Channel; address: string } | { ok: false; error: string };

const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const MAX_LABEL_LENGTH = 63;
/** Longer input is refused before any pattern runs: `Name <addr>` fits easily. */
const MAX_EMAIL_INPUT_LENGTH = 1_000;
/** E.164 is at most 15 digits; formatting and an extension fit in this. */
const MAX_PHONE_INPUT_LENGTH = 64;
// RFC 5322 atext, dot-separated (dot-atom), plus UTF-8 letters (RFC 6531 SMTPUTF8).
// Quoted local parts are handled separately.
const DOT_ATOM_LOCAL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+)*$/;
const QUOTED_LOCAL = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * Trim, take the address out of `Name <addr>` or `<addr>`, lower-case, and turn an IDN domain
 * into its ASCII (punycode) form. Invalid syntax comes back with the reason.
 */
export function normaliseEmail(input: string): Normalised {
  const fast = simpleEmail(input);
  return fast !== null ? { ok: true, channel: 'email', address: fast } : normaliseEmailFully(input);
}

/** normaliseEmail without the fast path for simple addresses (exported for tests). */
export function normaliseEmailFully(input: string): Normalised {
  if (input.length > MAX_EMAIL_INPUT_LENGTH)
    return { ok: false, error: `longer than ${MAX_EMAIL_INPUT_LENGTH} characters` };
  let s = input.trim();
  const open = s.lastIndexOf('<');
  if (open !== -1) {
    const close = s.indexOf('>', open);
    if (close === -1) return { ok: false, error: 'unbalanced angle brackets' };
    s = s.slice(open + 1, close).trim();
  }
  if (s.toLowerCase().startsWith('mailto:')) s = s.slice(7);
  if (s === '') return { ok: false, error: 'empty address' };
  const at = s.lastIndexOf('@');
  if (at === -1) return { ok: false, error: 'missing @' };
  const local = s.slice(0, at);
  const rawDomain = s.slice(at + 1);
  if (local === '') return { ok: false, error: 'empty local part' };
  if (rawDomain === '') return { ok: false, error: 'empty domain' };
  const lowerLocal = local.toLowerCase();
  if (!QUOTED_LOCAL.test(local)) {
    if (local.includes('@')) return { ok: false, error: 'more than one @' };
    if (/\s/.test(local)) return { ok: false, error: 'whitespace in local part' };
    if (local.startsWith('.') || local.endsWith('.'))
      return { ok: false, error: 'local part starts or ends with a dot' };
    if (local.includes('..')) return { ok: false, error: 'consecutive dots in local part' };
    if (!DOT_ATOM_LOCAL.test(lowerLocal))
      return { ok: false, error: 'invalid character in local part' };
  }
  if (local.length > MAX_LOCAL_LENGTH)
    return { ok: false, error: `local part longer than ${MAX_LOCAL_LENGTH} characters` };
  const domain = normaliseDomain(rawDomain);
  if (!domain.ok) return domain;
  const address = `${lowerLocal}@${domain.domain}`;
  if (address.length > MAX_EMAIL_LENGTH)
    return { ok: false, error: `address longer than ${MAX_EMAIL_LENGTH} characters` };
  return { ok: true, channel: 'email', address };
}

// Plain ASCII `local@domain` with nothing to trim, unwrap or convert: the shape of nearly every
// address in a mailing list. Anything else takes the full path below.
const SIMPLE_EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?!\d+$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

/**
 * The normalised form of a simple address, or null to take the full path. Gives exactly what
 * the full path gives for such input (test/core/address.test.ts compares them).
 */
export function simpleEmail(input: string): string | null {
  if (input.length > MAX_EMAIL_LENGTH || !SIMPLE_EMAIL.test(input)) return null;
  const at = input.indexOf('@');
  // Long parts need the per-label checks of the full path.
  if (at > MAX_LOCAL_LENGTH || input.length - at - 1 > MAX_LABEL_LENGTH) return null;
  return input.toLowerCase();
}

/** 1 for the RFC 5322 atext characters of ASCII (letters, digits, !#$%&'*+/=?^_`{|}~-). */
const ATEXT = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-")
  ATEXT[c.charCodeAt(0)] = 1;

/**
 * The simple-address fast path on raw bytes: true when `bytes[start, end)` is an address that
 * simpleEmail accepts, whose normalised form is then its ASCII text in lower case. Lets a filter
 * decide rows it passes through without decoding them. One pass by hand, the same language as
 * SIMPLE_EMAIL (test/core/address.test.ts compares it with the full path on random input).
 */
export function isSimpleEmailBytes(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start > MAX_EMAIL_LENGTH) return false;
  // Local part: atext runs separated by single dots, no dot first or last.
  let i = start;
  let afterDot = true;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c === 64) break;
    if (c === 46) {
      if (afterDot) return false;
      afterDot = true;
    } else if (c >= 128 || ATEXT[c] === 0) return false;
    else afterDot = false;
  }
  const at = i;
  // No @, an empty local part or one ending in a dot; long parts need the full path's checks.
  if (at === end || afterDot || at - start > MAX_LOCAL_LENGTH || end - at - 1 > MAX_LABEL_LENGTH)
    return false;
  // Domain: at least two labels of letters, digits and inner hyphens; the last not all digits.
  let labels = 0;
  let label = at + 1;
  let digitsOnly = true;
  for (i = label; i <= end; i++) {
    const c = i < end ? bytes[i]! : 46;
    if (c === 46) {
      if (i === label || bytes[i - 1] === 45 || (i === end && digitsOnly)) return false;
      labels++;
      label = i + 1;
      digitsOnly = true;
    } else if (c === 45) {
      if (i === label) return false;
      digitsOnly = false;
    } else if (c >= 48 && c <= 57) continue;
    else if ((c | 32) >= 97 && (c | 32) <= 122) digitsOnly = false;
    else return false;
  }
  return labels >= 2;
}

/** Lower-cased ASCII form of a domain (IDN → punycode), or why it is not a valid domain. */
export function normaliseDomain(
  raw: string,
): { ok: true; domain: string } | { ok: false; error: string } {
  let d = raw.trim().toLowerCase();
  if (d.endsWith('.')) d = d.slice(0, -1);
  if (d.startsWith('[') && d.endsWith(']'))
    return { ok: false, error: 'address literals are not accepted' };
  if (/\s/.test(d)) return { ok: false, error: 'whitespace in domain' };
  // eslint-disable-next-line no-control-regex -- the whole ASCII range, to skip punycode conversion
  const ascii = /^[\x00-\x7f]*$/.test(d) ? d : domainToASCII(d);
  if (ascii === '') return { ok: false, error: 'invalid internationalised domain' };
  // A single label (`invalid@invalid`, `root@localhost`) is a domain by RFC 5321 §4.1.2 and
  // providers do report bounces for such addresses: kept, since refusing the event would lose
  // what the provider said (the address cannot be mailed anyway). A numeric one is not (below).
  const labels = ascii.split('.');
  for (const label of labels) {
    if (label === '') return { ok: false, error: 'empty label in domain' };
    if (label.length > MAX_LABEL_LENGTH)
      return { ok: false, error: `domain label longer than ${MAX_LABEL_LENGTH} characters` };
    if (!DOMAIN_LABEL.test(label)) return { ok: false, error: 'invalid character in domain' };
  }
  if (/^\d+$/.test(labels[labels.length - 1] ?? ''))
    return { ok: false, error: 'top-level domain is numeric' };
  return { ok: true, domain: ascii };
}

/**
 * E.164 form of a phone number, reading national numbers in `defaultRegion`
 * (`+1-555-123-4567` → `+15551234567`). Checks the length is possible for the country rather
 * than full validity, so reserved test ranges (555) are accepted.
 */
export function normalisePhone(input: string, defaultRegion: string): Normalised {
  const s = input.trim();
  if (s === '') return { ok: false, error: 'empty phone number' };
  if (s.length > MAX_PHONE_INPUT_LENGTH)
    return { ok: false, error: `longer than ${MAX_PHONE_INPUT_LENGTH} characters` };
  if (/[a-z]/i.test(s.replace(/^tel:/i, '').replace(/\s*(ext\.?|x)\s*\d+$/i, ''))) {
    return { ok: false, error: 'letters in phone number' };
  }
  const parsed = parsePhoneNumberFromString(s.replace(/^tel:/i, ''), defaultRegion as CountryCode);
  if (!parsed) return { ok: false, error: 'not a phone number' };
  if (!parsed.isPossible()) return { ok: false, error: 'impossible length for its country' };
  return { ok: true, channel: 'sms', address: parsed.number };
}

/** Emails contain `@`; everything else is read as a phone number. */
export function normaliseAddress(input: string, defaultRegion: string): Normalised {
  if (typeof input !== 'string') return { ok: false, error: 'not a string' };
  if (input.includes('@')) return normaliseEmail(input);
  const phone = normalisePhone(input, defaultRegion);
  // Text with letters and no @ was most likely meant as an email address.
  return !phone.ok && phone.error === 'letters in phone number'
    ? { ok: false, error: 'missing @ (not an email address or a phone number)' }
    : phone;
}

/** True for an ISO 3166-1 alpha-2 region libphonenumber knows (`US`, `GB`, `NL`…). */
export function isValidRegion(region: string): boolean {
  return /^[A-Z]{2}$/.test(region) && isSupportedCountry(region);
}

/** The domain part of a normalised email address. */
export function emailDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/**
 * A form safe for info-level logs: `j***@example.com`, `+1555***67`.
 * Full addresses and numbers are personal data and are never logged in plain text.
 */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at > 0) return `${address[0] ?? ''}***${address.slice(at)}`;
  if (address.length <= 6) return '***';
  return `${address.slice(0, 5)}***${address.slice(-2)}`;
}
