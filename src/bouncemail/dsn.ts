import { decodeWords } from './headers.js';

/**
 * RFC 3464 delivery-status fields: one per-message block (Reporting-MTA, Arrival-Date…) and one
 * block per recipient (Final-Recipient, Action, Status, Remote-MTA, Diagnostic-Code…). Real
 * reports often omit the blank lines between blocks, or put these fields in a text/plain part,
 * so a new recipient block also starts at each Final-Recipient (or at an Original-Recipient
 * that follows a complete block).
 */
export interface DsnRecipientFields {
  finalRecipient: string | null;
  originalRecipient: string | null;
  action: string | null;
  status: string | null;
  remoteMta: string | null;
  diagnosticType: string | null;
  diagnostic: string | null;
  lastAttemptDate: string | null;
}

export interface DsnReport {
  reportingMta: string | null;
  arrivalDate: string | null;
  recipients: DsnRecipientFields[];
}

const FIELD = /^([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/;

function emptyRecipient(): DsnRecipientFields {
  return {
    finalRecipient: null,
    originalRecipient: null,
    action: null,
    status: null,
    remoteMta: null,
    diagnosticType: null,
    diagnostic: null,
    lastAttemptDate: null,
  };
}

/** `rfc822; <a@b>` → `a@b`; `type; value` → value. */
export function typedValue(value: string): { type: string | null; value: string } {
  const m = /^([A-Za-z0-9/._-]+)\s*;\s*(.*)$/s.exec(value);
  if (!m) return { type: null, value: value.trim() };
  return { type: (m[1] ?? '').toUpperCase(), value: (m[2] ?? '').trim() };
}

function unfold(text: string): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  for (const line of text.split('\n')) {
    const last = out[out.length - 1];
    if (/^[ \t]+\S/.test(line) && last) {
      last.value += ' ' + line.trim();
      continue;
    }
    const m = FIELD.exec(line);
    if (m) out.push({ name: (m[1] ?? '').toLowerCase(), value: (m[2] ?? '').trim() });
    else if (line.trim() === '') out.push({ name: '', value: '' });
  }
  return out;
}

/** Some MTAs indent the whole report: remove the common indentation so fields start lines. */
function dedent(text: string): string {
  const lines = text.split('\n');
  const indents = lines
    .filter((l) => l.trim() !== '')
    .map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  // reduce, not Math.min(...): spreading one argument a line overflows the stack on a long report.
  const common = indents.length > 0 ? indents.reduce((a, b) => Math.min(a, b)) : 0;
  return common > 0
    ? lines.map((l) => l.slice(Math.min(common, /^[ \t]*/.exec(l)?.[0].length ?? 0))).join('\n')
    : text;
}

export function parseDeliveryStatus(raw: string): DsnReport {
  const text = dedent(raw);
  const report: DsnReport = { reportingMta: null, arrivalDate: null, recipients: [] };
  // Blocks are separated by blank lines; a block may hold several recipients when the blank
  // lines are missing, and its fields may come in any order (Diagnostic-Code before
  // Final-Recipient is common), so each recipient owns the fields up to the next recipient field.
  const blocks: Array<Array<{ name: string; value: string }>> = [[]];
  for (const f of unfold(text)) {
    if (f.name === '') blocks.push([]);
    else blocks[blocks.length - 1]?.push(f);
  }
  for (const block of blocks) {
    const groups: Array<Array<{ name: string; value: string }>> = [];
    let current: Array<{ name: string; value: string }> = [];
    let hasRecipient = false;
    for (const f of block) {
      const isRcpt = f.name === 'final-recipient' || f.name === 'original-recipient';
      const repeats = isRcpt && current.some((x) => x.name === f.name);
      if (repeats && hasRecipient) {
        groups.push(current);
        current = [];
        hasRecipient = false;
      }
      current.push(f);
      if (isRcpt) hasRecipient = true;
    }
    groups.push(current);
    for (const g of groups) {
      const cur = emptyRecipient();
      for (const { name, value } of g) {
        if (name === 'reporting-mta') report.reportingMta ??= typedValue(value).value;
        else if (name === 'arrival-date') report.arrivalDate ??= value;
        else if (name === 'final-recipient')
          cur.finalRecipient ??= typedValue(decodeWords(value)).value;
        else if (name === 'original-recipient')
          cur.originalRecipient ??= typedValue(decodeWords(value)).value;
        else if (name === 'x-actual-recipient')
          cur.finalRecipient ??= typedValue(decodeWords(value)).value;
        else applyRecipientField(cur, name, value);
      }
      if (cur.finalRecipient || cur.originalRecipient) report.recipients.push(cur);
    }
  }
  return report;
}

function applyRecipientField(cur: DsnRecipientFields, name: string, value: string): void {
  switch (name) {
    case 'action':
      cur.action ??= value.toLowerCase().split(/[\s(]/)[0] ?? null;
      break;
    case 'status':
      cur.status ??= value;
      break;
    case 'remote-mta':
      cur.remoteMta ??= typedValue(value).value;
      break;
    case 'diagnostic-code': {
      const t = typedValue(value);
      cur.diagnosticType ??= t.type;
      cur.diagnostic = cur.diagnostic ? `${cur.diagnostic} ${t.value}` : t.value;
      break;
    }
    case 'last-attempt-date':
      cur.lastAttemptDate ??= value;
      break;
    default:
      break;
  }
}
