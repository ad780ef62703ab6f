import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBounceMail, splitMbox, type ParsedBounceMail } from '../../src/bouncemail/index.js';

/**
 * Scores the bounce-mail parser against the corpus' expected.tsv (Sisimai's expectations), per
 * recipient row, for bench/bouncemail.ts. The corpus is material from outside the project: it
 * stays in `../shared/corpus/bounce-mail/` and is never copied into the repository.
 */
// `../shared/` next to the checkout; a git worktree one level deeper looks one level further up.
const CANDIDATES = [
  '../../../shared/corpus/bounce-mail/',
  '../../../../shared/corpus/bounce-mail/',
].map((p) => fileURLToPath(new URL(p, import.meta.url)));

/** BOUNCER_CORPUS_DIR, else BOUNCER_SHARED_DIR/corpus/bounce-mail, else ../shared next to the checkout. */
export function corpusDir(): string {
  const shared = process.env['BOUNCER_SHARED_DIR'];
  return (
    process.env['BOUNCER_CORPUS_DIR'] ??
    (shared ? join(shared, 'corpus/bounce-mail') : undefined) ??
    CANDIDATES.find((d) => existsSync(join(d, 'expected.tsv'))) ??
    CANDIDATES[0] ??
    ''
  );
}

/**
 * Accuracy floors: the benchmark exits non-zero below them. They sit just under the measured
 * figures (see bench/RESULTS.md); raise them as accuracy improves.
 */
export const FLOORS = { found: 0.98, severity: 0.97, reason: 0.9, mboxMessages: 37 } as const;

/** The floors a score falls below, as sentences (empty when it meets them all). */
export function floorFailures(s: Score): string[] {
  const out: string[] = [];
  const ratio = (what: string, n: number, floor: number): void => {
    if (s.rows === 0 || n / s.rows < floor)
      out.push(`${what} ${pct(n, s.rows)} is below the floor of ${(floor * 100).toFixed(0)} %`);
  };
  ratio('recipients found', s.found, FLOORS.found);
  ratio('severity agreement', s.severity, FLOORS.severity);
  ratio('fine-reason agreement', s.reason, FLOORS.reason);
  if (s.lineEndingMismatches > 0)
    out.push(`${s.lineEndingMismatches} CRLF/CR copies read differently from their LF originals`);
  if (s.notFalsePositives > 0)
    out.push(`${s.notFalsePositives} messages that are not bounces yielded recipients`);
  if (s.softAsHard > 0)
    out.push(`${s.softAsHard} soft failures read as hard (each would suppress a good address)`);
  if (s.senderAsRecipient > 0)
    out.push(`${s.senderAsRecipient} sender addresses reported as bounced recipients`);
  if (s.mboxMessages !== FLOORS.mboxMessages)
    out.push(`mbox-0 split into ${s.mboxMessages} messages, not ${FLOORS.mboxMessages}`);
  return out;
}

interface Row {
  file: string;
  index: number;
  count: number;
  noResult: boolean;
  reason: string;
  reason2026: string;
  status: string;
  pseudo: boolean;
  hard: boolean;
  feedbackType: string;
  hint: string;
}

export interface Disagreement {
  file: string;
  what: string;
  expected: string;
  got: string;
}

export interface Score {
  rows: number;
  found: number;
  severity: number;
  reason: number;
  statusRows: number;
  status: number;
  extraRecipients: number;
  /** Expected soft (or none), read as hard: the costly error, a good address suppressed for ever. */
  softAsHard: number;
  hardAsSoft: number;
  /** Reported recipients that are the mail's own sender addresses (see senderAddresses). */
  senderAsRecipient: number;
  lineEndingFiles: number;
  lineEndingMismatches: number;
  notFiles: number;
  notFalsePositives: number;
  mboxMessages: number;
  mboxParsed: number;
  disagreements: Disagreement[];
  msPerMessage: number;
}

function readRows(dir: string): Row[] {
  const lines = readFileSync(join(dir, 'expected.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '');
  return lines.map((l) => {
    const c = l.split('\t');
    return {
      file: c[0] ?? '',
      index: Number(c[1] || 1),
      count: Number(c[2] || 0),
      noResult: c[3] === '1',
      reason: c[4] ?? '',
      reason2026: c[5] ?? '',
      status: c[6] ?? '',
      pseudo: c[7] === '1',
      hard: c[9] === '1',
      feedbackType: c[10] ?? '',
      hint: (c[11] ?? '').toLowerCase(),
    };
  });
}

function expectedSeverity(r: Row): string {
  if (r.hard) return 'hard';
  if (r.reason === 'feedback') return 'complaint';
  if (r.reason === 'delivered' || r.reason === 'vacation') return 'none';
  return 'soft';
}

function emptyScore(): Score {
  return {
    rows: 0,
    found: 0,
    severity: 0,
    reason: 0,
    statusRows: 0,
    status: 0,
    extraRecipients: 0,
    softAsHard: 0,
    hardAsSoft: 0,
    senderAsRecipient: 0,
    lineEndingFiles: 0,
    lineEndingMismatches: 0,
    notFiles: 0,
    notFalsePositives: 0,
    mboxMessages: 0,
    mboxParsed: 0,
    disagreements: [],
    msPerMessage: 0,
  };
}

/** Parses each file once; like Sisimai, a file is read as a mailbox (some hold several messages). */
class CorpusReader {
  private readonly cache = new Map<string, ParsedBounceMail>();
  parseMs = 0;

  constructor(private readonly dir: string) {}

  get size(): number {
    return this.cache.size;
  }

  parse(file: string): ParsedBounceMail {
    const hit = this.cache.get(file);
    if (hit) return hit;
    const raw = readFileSync(join(this.dir, file));
    const t0 = performance.now();
    const parts = splitMbox(raw).map((m) => parseBounceMail(m));
    this.parseMs += performance.now() - t0;
    const first = parts.find((x) => x.recipients.length > 0) ?? parts[0] ?? parseBounceMail(raw);
    const p = { ...first, recipients: parts.flatMap((x) => x.recipients) };
    this.cache.set(file, p);
    return p;
  }
}

/**
 * The addresses a mail names as its sender, read independently of the parser: every
 * From/Reply-To/Sender/Return-Path header line anywhere in the file (the report's own and those of
 * the returned original, attached or quoted), and the report's To (the original's envelope sender).
 */
export function senderAddresses(raw: Buffer): Set<string> {
  const text = raw.toString('latin1').replace(/\r\n?/g, '\n');
  const out = new Set<string>();
  const add = (value: string): void => {
    for (const m of value.matchAll(/[\w.+'=-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}/g))
      out.add(m[0].toLowerCase());
  };
  for (const m of text.matchAll(/^(?:from|reply-to|sender|return-path):[^\n]{0,500}/gim)) add(m[0]);
  const head = text.slice(0, Math.max(0, text.indexOf('\n\n')));
  for (const m of head.matchAll(/^to:[^\n]{0,500}/gim)) add(m[0]);
  return out;
}

function scoreSenders(
  s: Score,
  file: string,
  fileRows: Row[],
  raw: Buffer,
  p: ParsedBounceMail,
): void {
  const senders = senderAddresses(raw);
  // A test mail sent to its own sender is a real recipient: only the expectations can say so.
  const expected = new Set(fileRows.map((r) => r.hint).filter((h) => h !== ''));
  for (const r of p.recipients) {
    if (!senders.has(r.recipient) || expected.has(r.recipient)) continue;
    if (fileRows.length >= p.recipients.length && !fileRows.some((x) => x.hint)) continue;
    s.senderAsRecipient++;
    s.disagreements.push({
      file,
      what: 'sender-as-recipient',
      expected: 'not a recipient',
      got: r.recipient,
    });
  }
}

function scoreFile(s: Score, file: string, fileRows: Row[], p: ParsedBounceMail): void {
  if (fileRows.every((r) => r.noResult)) {
    s.notFiles++;
    if (p.recipients.length > 0) {
      s.notFalsePositives++;
      s.disagreements.push({
        file,
        what: 'not-a-bounce',
        expected: 'nothing',
        got: p.recipients.map((x) => x.recipient).join(','),
      });
    }
    return;
  }
  if (p.recipients.length > fileRows.length) {
    s.extraRecipients += p.recipients.length - fileRows.length;
    s.disagreements.push({
      file,
      what: 'count',
      expected: String(fileRows.length),
      got: String(p.recipients.length),
    });
  }
  const used = new Set<number>();
  for (const r of fileRows) {
    s.rows++;
    // Match by the recipient hint when there is one, else by position.
    let idx = r.hint
      ? p.recipients.findIndex((x, i) => !used.has(i) && x.recipient === r.hint)
      : -1;
    if (idx === -1 && !r.hint)
      idx = p.recipients.length >= r.index && !used.has(r.index - 1) ? r.index - 1 : -1;
    const got = idx >= 0 ? p.recipients[idx] : undefined;
    if (!got) {
      s.disagreements.push({
        file,
        what: 'recipient',
        expected: r.hint || `#${r.index}`,
        got: p.recipients.map((x) => x.recipient).join(',') || 'none',
      });
      continue;
    }
    used.add(idx);
    s.found++;
    scoreRow(s, file, r, got);
  }
}

function scoreRow(
  s: Score,
  file: string,
  r: Row,
  got: ParsedBounceMail['recipients'][number],
): void {
  const sev = expectedSeverity(r);
  if (got.severity === 'hard' && (sev === 'soft' || sev === 'none')) s.softAsHard++;
  if (sev === 'hard' && got.severity === 'soft') s.hardAsSoft++;
  if (got.severity === sev) s.severity++;
  else
    s.disagreements.push({
      file,
      what: 'severity',
      expected: `${sev} (${r.reason})`,
      got: `${got.severity} (${got.fineReason})`,
    });
  if ([r.reason, r.reason2026].includes(got.fineReason)) s.reason++;
  else
    s.disagreements.push({
      file,
      what: 'reason',
      expected: r.reason2026 || r.reason,
      got: `${got.fineReason} [${got.enhancedStatus ?? '-'} ${got.smtpCode ?? '-'}] ${(got.diagnostic ?? '').slice(0, 160)}`,
    });
  if (!r.pseudo && r.status) {
    s.statusRows++;
    if (got.enhancedStatus === r.status) s.status++;
    else
      s.disagreements.push({
        file,
        what: 'status',
        expected: r.status,
        got: got.enhancedStatus ?? 'null',
      });
  }
}

/** dos/ (CRLF) and mac/ (CR) copies must parse exactly like their bsd/ originals. */
function scoreLineEndings(s: Score, dir: string, reader: CorpusReader): void {
  for (const sub of ['dos', 'mac']) {
    const d = join(dir, sub);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).sort()) {
      if (!existsSync(join(dir, 'bsd', f))) continue;
      s.lineEndingFiles++;
      // rawHash describes the input bytes, which differ beyond line ends; the reading must not.
      const result = (path: string): string =>
        JSON.stringify({ ...reader.parse(path), rawHash: undefined });
      if (result(`${sub}/${f}`) !== result(`bsd/${f}`)) {
        s.lineEndingMismatches++;
        s.disagreements.push({
          file: `${sub}/${f}`,
          what: 'line-endings',
          expected: 'same as bsd/',
          got: 'differs',
        });
      }
    }
  }
}

export function scoreCorpus(dir = corpusDir()): Score {
  const s = emptyScore();
  const reader = new CorpusReader(dir);
  const byFile = new Map<string, Row[]>();
  for (const r of readRows(dir)) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  for (const [file, fileRows] of byFile) {
    const p = reader.parse(file);
    scoreFile(s, file, fileRows, p);
    scoreSenders(s, file, fileRows, readFileSync(join(dir, file)), p);
  }
  scoreLineEndings(s, dir, reader);
  const mbox = join(dir, 'mbox', 'mbox-0');
  if (existsSync(mbox)) {
    const messages = splitMbox(readFileSync(mbox));
    s.mboxMessages = messages.length;
    for (const m of messages) if (parseBounceMail(m).recipients.length > 0) s.mboxParsed++;
  }
  s.msPerMessage = reader.parseMs / Math.max(1, reader.size);
  return s;
}

export const pct = (n: number, d: number): string =>
  d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)} %`;
