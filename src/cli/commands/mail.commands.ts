import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { isAppError } from '../../core/errors.js';
import { openMailboxSession } from '../../mailbox/index.js';
import {
  ingestMailMessages,
  isDatabaseUnavailable,
  parseMailMessages,
  processPending,
  readMailMessages,
  type ParsedMailReport,
} from '../../services/ingest/bounce-mail.js';
import type { Services } from '../../services/container.js';
import {
  createMailboxScanners,
  type MailboxScanner,
  type ScanReport,
} from '../../services/mailbox/index.js';
import { print, withServices } from '../context.js';
import { countOf } from '../../core/plural.js';

/** sysexits.h: what an MTA pipe understands. */
const EX_DATAERR = 65;
const EX_NOINPUT = 66;
const EX_TEMPFAIL = 75;

async function readInput(file: string): Promise<Buffer> {
  if (file !== '-') return readFileSync(file);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readMessagesOrExit(file: string): Promise<Buffer[] | null> {
  try {
    const messages = readMailMessages(await readInput(file));
    if (messages.length === 0) {
      process.stderr.write(`bouncer: ${file === '-' ? 'standard input' : file} holds no message\n`);
      process.exitCode = EX_DATAERR;
      return null;
    }
    return messages;
  } catch (err) {
    process.stderr.write(`bouncer: cannot read ${file}: ${(err as Error).message}\n`);
    process.exitCode = EX_NOINPUT;
    return null;
  }
}

function reportText(r: ParsedMailReport): string {
  const head = `message ${r.index + 1}: ${r.outcome}${r.note ? ` (${r.note})` : ''}`;
  const lines = r.events.map((e) =>
    `  ${e.type.padEnd(11)} ${e.address}  ${e.reason ?? '-'}  ${e.enhancedStatus ?? e.smtpCode ?? ''}  ${e.diagnostic?.slice(0, 100) ?? ''}`.trimEnd(),
  );
  return [head, ...lines].join('\n');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Files as given; directories become their files, recursively, sorted, hidden ones skipped. */
function* expandInputs(inputs: readonly string[]): Generator<string> {
  for (const input of inputs) {
    if (input === '-' || !isDirectory(input)) {
      yield input;
      continue;
    }
    const entries = readdirSync(input, { withFileTypes: true })
      .filter((e) => !e.name.startsWith('.'))
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const path = join(input, e.name);
      if (e.isDirectory()) yield* expandInputs([path]);
      else if (e.isFile()) yield path;
    }
  }
}

function scanLine(r: ScanReport): string {
  return `${r.mailbox}: ${r.listed} listed, ${r.processed} processed (${countOf(r.events, 'event')}), ${r.unparsed} unparsed, ${r.tooLarge} too large, ${r.alreadyTaken} taken earlier`;
}

/** Continuous mode: one line (or JSON object) per pass that took something. */
function printScan(r: ScanReport, json: boolean): void {
  if (r.processed + r.unparsed + r.tooLarge === 0) return;
  process.stdout.write(
    json ? `${JSON.stringify(r)}\n` : `${new Date().toISOString()} ${scanLine(r)}\n`,
  );
}

export function registerMailCommands(program: Command): void {
  program
    .command('parse-mail')
    .description(
      'Print the events found in bounce mails (no database): files, mbox files or directories; with several, one JSON line per message (NDJSON)',
    )
    .argument(
      '<files...>',
      'messages, mbox files, directories (read recursively), or - for standard input',
    )
    .option(
      '--verp <pattern>',
      'VERP return-path pattern, e.g. bounces+{local}={domain}@example.com',
    )
    .option('--json', 'print JSON (an array; several files always print NDJSON)')
    .option('--ndjson', 'one JSON object per message, with its file name, as soon as it is read')
    .action(async (files: string[], o: { verp?: string; json?: boolean; ndjson?: boolean }) => {
      const config = loadConfig();
      const verp = o.verp ?? config.bounceMail.verp ?? undefined;
      const single = files.length === 1 && (files[0] === '-' || !isDirectory(files[0] ?? ''));
      if (single && !o.ndjson) {
        const messages = await readMessagesOrExit(files[0] ?? '-');
        if (!messages) return;
        const reports = parseMailMessages(config, messages, { verp, receivedAt: Date.now() });
        print(reports, o.json ?? false, () => reports.map((r) => reportText(r)).join('\n'));
        return;
      }
      // One process for many files: the start-up is paid once, output streams per message.
      for (const file of expandInputs(files)) {
        let messages: Buffer[];
        try {
          messages = readMailMessages(await readInput(file));
        } catch (err) {
          process.exitCode = EX_NOINPUT;
          const note = `cannot read: ${(err as Error).message}`;
          process.stdout.write(
            `${JSON.stringify({ file, index: 0, outcome: 'error', events: [], note })}\n`,
          );
          continue;
        }
        const reports = parseMailMessages(config, messages, { verp, receivedAt: Date.now() });
        for (const r of reports) process.stdout.write(`${JSON.stringify({ file, ...r })}\n`);
      }
    });

  program
    .command('ingest-mail')
    .description(
      'Store the bounces in a message or mbox file (pipe from an MTA). Exit 75 when the database is unavailable',
    )
    .argument('<file>', 'a message, an mbox file, or - for standard input')
    .option('--verp <pattern>', 'VERP return-path pattern (default: BOUNCER_BOUNCE_MAIL_VERP)')
    .option(
      '--process',
      "apply the stored events now instead of leaving them to the server's worker",
    )
    .option('--json', 'print JSON')
    .action(async (file: string, o: { verp?: string; process?: boolean; json?: boolean }) => {
      const messages = await readMessagesOrExit(file);
      if (!messages) return;
      await tempfailWhenDatabaseDown(async () => {
        const report = await withServices(async (s) => {
          const r = await ingestMailMessages(s, messages, {
            verp: o.verp,
            source: 'cli:ingest-mail',
          });
          return o.process ? { ...r, processed: await processPending(s, `cli-${process.pid}`) } : r;
        });
        print(
          report,
          o.json ?? false,
          () =>
            `${countOf(report.messages, 'message')}: ${report.stored} stored (${countOf(report.events, 'event')}), ${report.unparsed} unparsed (kept as dead deliveries)`,
        );
      });
    });

  program
    .command('scan-mailbox')
    .description('Scan the configured bounce mailboxes (BOUNCER_MAILBOXES)')
    .option('--once', 'one pass over each mailbox, then exit')
    .option('--name <name>', 'only this mailbox')
    .option('--process', 'with --once: apply the stored events now')
    .option('--json', 'print JSON')
    .action(async (o: ScanOptions) => {
      await tempfailWhenDatabaseDown(() =>
        withServices(async (s, config) => {
          if (config.mailboxes.length === 0)
            throw new Error('no mailbox is configured (BOUNCER_MAILBOXES)');
          const scanners = createMailboxScanners(s, openMailboxSession, {
            name: o.name,
            onScan: o.once ? undefined : (r) => printScan(r, o.json ?? false),
          });
          if (scanners.length === 0)
            throw new Error(`no mailbox is named "${o.name}" in BOUNCER_MAILBOXES`);
          await (o.once ? scanEachOnce(s, scanners, o) : scanUntilSignalled(scanners));
        }),
      );
    });
}

interface ScanOptions {
  once?: boolean;
  name?: string;
  process?: boolean;
  json?: boolean;
}

async function scanUntilSignalled(scanners: readonly MailboxScanner[]): Promise<void> {
  for (const scanner of scanners) scanner.start();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await Promise.all(scanners.map((sc) => sc.stop()));
}

/** One pass per mailbox; a failing mailbox does not stop the others (exit 1, or 75 for the database). */
async function scanEachOnce(
  s: Services,
  scanners: readonly MailboxScanner[],
  o: ScanOptions,
): Promise<void> {
  const reports: Array<ScanReport | { mailbox: string; error: string }> = [];
  for (const scanner of scanners) {
    try {
      reports.push(await scanner.scanOnce());
    } catch (err) {
      reports.push({ mailbox: scanner.name, error: (err as Error).message });
      process.exitCode = isDatabaseUnavailable(err) ? EX_TEMPFAIL : 1;
    }
  }
  if (o.process) await processPending(s, `cli-${process.pid}`);
  print(reports, o.json ?? false, () =>
    reports
      .map((r) => ('error' in r ? `${r.mailbox}: failed: ${r.error}` : scanLine(r)))
      .join('\n'),
  );
}

/** An MTA or cron job should retry later, not give up, when only the database is missing. */
async function tempfailWhenDatabaseDown(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if ((isAppError(err) && err.code === 'BOUNCER_ERR_CONFIG') || !isDatabaseUnavailable(err))
      throw err;
    process.stderr.write(
      `bouncer: database unavailable, try again later: ${(err as Error).message}\n`,
    );
    process.exitCode = EX_TEMPFAIL;
  }
}
