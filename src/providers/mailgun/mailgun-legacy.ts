import type { MailgunSignatureBlock } from './mailgun-signature.js';

/**
 * Legacy Mailgun webhooks (spec §1.1: form-encoded or multipart, deprecated in 2023 but still
 * delivered by old configurations): the same signature over `timestamp + token`, with every field
 * at the top level of the form. Read into the current `{signature, event-data}` shape so one set
 * of rules maps both.
 */

/** Form fields in order; a field may repeat (Mailgun merges user variables into the form). */
export type FormFields = Array<[string, string]>;

const MAX_PARTS = 1_000;

/** `multipart/form-data` text fields (file parts such as attachments are skipped). */
export function multipartFields(raw: Buffer, contentType: string): FormFields | null {
  const boundary = /boundary=(?:"([^"]{1,200})"|([^;\s]{1,200}))/i.exec(contentType);
  const b = boundary?.[1] ?? boundary?.[2];
  if (!b) return null;
  const text = raw.toString('latin1');
  const delimiter = `--${b}`;
  const fields: FormFields = [];
  let at = text.indexOf(delimiter);
  while (at !== -1 && fields.length < MAX_PARTS) {
    const start = at + delimiter.length;
    if (text.startsWith('--', start)) break;
    const next = text.indexOf(`\r\n${delimiter}`, start);
    if (next === -1) break;
    const part = text.slice(start, next).replace(/^\r\n/, '');
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1) {
      const head = part.slice(0, split);
      const disposition = /content-disposition:[^\r\n]*/i.exec(head)?.[0] ?? '';
      const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
      if (name !== undefined && !/\bfilename=/i.test(disposition)) {
        const value = Buffer.from(part.slice(split + 4), 'latin1').toString('utf8');
        fields.push([Buffer.from(name, 'latin1').toString('utf8'), value]);
      }
    }
    at = next + 2;
  }
  return fields;
}

export function urlencodedFields(raw: Buffer): FormFields {
  return [...new URLSearchParams(raw.toString('utf8'))];
}

const first = (f: FormFields, name: string): string | undefined => f.find(([k]) => k === name)?.[1];
// Mailgun merges user variables into the same form: for the signature fields the *last* value
// is Mailgun's own (django-anymail's reading), for event fields the first.
const last = (f: FormFields, name: string): string | undefined =>
  f.findLast(([k]) => k === name)?.[1];

export function legacySignature(f: FormFields): MailgunSignatureBlock | null {
  const timestamp = last(f, 'timestamp');
  const token = last(f, 'token');
  const signature = last(f, 'signature');
  if (timestamp === undefined || token === undefined || signature === undefined) return null;
  return { timestamp, token, signature };
}

/** Legacy codes for messages Mailgun refused to send to a listed address. */
const LEGACY_SUPPRESS_CODES: Readonly<Record<string, string>> = {
  '605': 'suppress-bounce',
  '606': 'suppress-unsubscribe',
  '607': 'suppress-complaint',
};

function failure(f: FormFields, event: string): { reason: string } {
  const code = first(f, 'code') ?? '';
  if (event === 'bounced') return { reason: 'bounce' };
  const suppress = LEGACY_SUPPRESS_CODES[code];
  if (suppress) return { reason: suppress };
  return { reason: (first(f, 'reason') ?? 'hardfail').toLowerCase() };
}

/** The legacy form as current `event-data` (spec §1.4 field names). */
export function legacyEventData(f: FormFields): Record<string, unknown> {
  const legacyEvent = (first(f, 'event') ?? '').toLowerCase();
  const failed = legacyEvent === 'bounced' || legacyEvent === 'dropped';
  const code = first(f, 'code');
  const messageId = first(f, 'Message-Id') ?? first(f, 'message-id');
  const tags = f.filter(([k]) => k === 'tag' || k === 'X-Mailgun-Tag').map(([, v]) => v);
  const data: Record<string, unknown> = {
    event: failed ? 'failed' : legacyEvent,
    recipient: first(f, 'recipient'),
    timestamp: last(f, 'timestamp'),
    'legacy-token': last(f, 'token'),
    tags,
    url: first(f, 'url'),
    message: { headers: { 'message-id': messageId } },
  };
  if (failed) {
    Object.assign(data, { severity: 'permanent', ...failure(f, legacyEvent) });
    data['delivery-status'] = {
      code: code !== undefined && /^\d{3}$/.test(code) ? Number(code) : undefined,
      'enhanced-code': code !== undefined && /^\d\.\d{1,3}\.\d{1,3}$/.test(code) ? code : undefined,
      message: first(f, 'error') ?? first(f, 'notification'),
      description: first(f, 'description'),
    };
  }
  const list = first(f, 'mailing-list');
  if (list !== undefined) data['mailing-list'] = { address: list };
  return data;
}
