import { emailsIn } from './text.js';

/**
 * VERP (variable envelope return path): the bounce is sent to an address that encodes the
 * original recipient, e.g. `bounces+{local}={domain}@example.com`. Given the pattern, the
 * recipient is recovered from the report's To, Delivered-To, X-Original-To or Return-Path.
 */
export function verpRegex(pattern: string): RegExp | null {
  if (!pattern.includes('{local}') || !pattern.includes('{domain}')) return null;
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const source = pattern
    .split(/(\{local\}|\{domain\})/)
    .map((p) =>
      p === '{local}'
        ? '(?<local>[^@\\s]+?)'
        : p === '{domain}'
          ? '(?<domain>[A-Za-z0-9.-]+?)'
          : escape(p),
    )
    .join('');
  return new RegExp(`^${source}$`, 'i');
}

export function recipientFromVerp(
  pattern: string,
  candidates: Array<string | null>,
): string | null {
  const re = verpRegex(pattern);
  if (!re) return null;
  for (const c of candidates) {
    for (const addr of emailsIn(c ?? '')) {
      const m = re.exec(addr);
      const local = m?.groups?.['local'];
      const domain = m?.groups?.['domain'];
      if (local && domain) return `${local}@${domain}`;
    }
  }
  return null;
}
