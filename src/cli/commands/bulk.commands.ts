import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { extname } from 'node:path';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import { CONTENT_TYPES, RECORD_FORMATS, type RecordFormat } from '../../core/records.js';
import { REASONS, type Reason } from '../../core/events.js';
import { PURPOSES, type Purpose } from '../../services/presend/check-recipients.js';
import { openFilterStream, type FilterSummary } from '../../services/presend/filter-stream.js';
import type { ImportSummary } from '../../services/suppressions/import-suppressions.js';
import { withServices } from '../context.js';
import { remoteRequest, type Remote } from '../remote.js';
import { countOf } from '../../core/plural.js';

const PROGRESS_INTERVAL_MS = 250;

function formatOf(file: string, given: string | undefined): RecordFormat {
  if (given) return given as RecordFormat;
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  // `.json`: AWS opt-out list exports (aws sns list-phone-numbers-opted-out, aws
  // pinpoint-sms-voice-v2 describe-opted-out-numbers), recognised by the NDJSON reader.
  if (ext === '.ndjson' || ext === '.jsonl' || ext === '.json') return 'ndjson';
  throw new Error(
    `--format csv|ndjson is required (cannot tell the format of ${file === '-' ? 'stdin' : file})`,
  );
}

function remoteOf(o: { server?: string; key?: string }): Remote | null {
  if (!o.server) return null;
  const key = o.key ?? process.env.BOUNCER_API_KEY;
  if (!key) throw new Error('--server needs --key (or BOUNCER_API_KEY)');
  return { server: o.server, key };
}

/** The input file (or stdin), counting bytes for the progress line when asked. */
function openInput(file: string, progress: boolean): Readable {
  const input =
    file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 256 * 1024 });
  if (!progress) return input;
  const total = file === '-' ? 0 : statSync(file).size;
  let read = 0;
  let last = 0;
  const counter = new PassThrough();
  counter.on('data', (c: Buffer) => {
    read += c.length;
    const now = Date.now();
    if (now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    const mb = (read / 1e6).toFixed(1);
    process.stderr.write(
      `\r${total ? `${Math.floor((read / total) * 100)} % ` : ''}(${mb} MB read)   `,
    );
  });
  counter.on('end', () => process.stderr.write('\r'.padEnd(40) + '\r'));
  input.pipe(counter);
  return counter;
}

const openOutput = (out: string | undefined): Writable =>
  out ? createWriteStream(out) : process.stdout;

export function summaryLine(s: FilterSummary): string {
  const reasons = Object.entries(s.by_reason)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  return `${s.total} total, ${s.suppressed} suppressed, ${s.allowed} allowed${s.invalid ? `, ${s.invalid} invalid` : ''}${reasons ? ` (${reasons})` : ''}`;
}

/** NDJSON answer of a remote filter: every line goes out except the last, the summary. */
async function* withoutLastLine(
  res: AsyncIterable<Buffer>,
  onLast: (line: string) => void,
): AsyncGenerator<string> {
  let held = '';
  for await (const chunk of res) {
    const text = held + chunk.toString('utf8');
    const cut = text.lastIndexOf('\n', text.length - 2);
    if (cut === -1) held = text;
    else {
      yield text.slice(0, cut + 1);
      held = text.slice(cut + 1);
    }
  }
  onLast(held);
}

interface FilterOpts {
  column?: string;
  field?: string;
  scope?: string;
  purpose?: Purpose;
  includeSuppressed?: boolean;
  out?: string;
  format?: string;
  server?: string;
  key?: string;
  progress?: boolean;
}

async function runFilter(file: string, o: FilterOpts): Promise<void> {
  const format = formatOf(file, o.format);
  const input = openInput(file, o.progress ?? process.stderr.isTTY);
  const remote = remoteOf(o);
  let summary: FilterSummary;
  if (remote) {
    const qs = new URLSearchParams();
    for (const [k, v] of [
      ['scope', o.scope],
      ['purpose', o.purpose],
      ['column', o.column],
      ['field', o.field],
      ['include', o.includeSuppressed ? 'suppressed' : undefined],
    ] as const)
      if (v) qs.set(k, v);
    const res = await remoteRequest(remote, 'POST', `v1/filter?${qs}`, {
      stream: input,
      contentType: CONTENT_TYPES[format],
    });
    let last = '';
    await pipeline(
      format === 'ndjson' ? Readable.from(withoutLastLine(res, (l) => (last = l))) : res,
      openOutput(o.out),
    );
    const raw = format === 'ndjson' ? last : res.trailers['bouncer-summary'];
    if (!raw) throw new Error('the server sent no summary (was the answer cut short?)');
    summary = (JSON.parse(raw) as { summary: FilterSummary }).summary;
  } else {
    summary = await withServices(async (s) => {
      const stream = await openFilterStream(s.filter, input, {
        format,
        scope: o.scope,
        purpose: o.purpose,
        includeSuppressed: o.includeSuppressed,
        column: o.column,
        field: o.field,
      });
      await pipeline(Readable.from(stream.rows), openOutput(o.out));
      return stream.summary;
    });
  }
  process.stderr.write(`${summaryLine(summary)}\n`);
}

export function registerBulkCommands(program: Command): void {
  program
    .command('filter')
    .description(
      'Filter a recipient list (CSV or NDJSON, any length): allowed rows to stdout or --out, the summary to stderr',
    )
    .argument('<file>', 'the list, or - for stdin')
    .option('--column <name>', 'CSV: the recipient column', 'email')
    .option('--field <name>', 'NDJSON: the recipient field', 'address')
    .option('--scope <scope>', 'unsubscribe group to honour as well')
    .addOption(new Option('--purpose <purpose>').choices(PURPOSES))
    .option(
      '--include-suppressed',
      'write every row with bouncer_status/bouncer_reason (CSV) or a "bouncer" field (NDJSON)',
    )
    .option('--out <file>', 'write here instead of stdout')
    .addOption(
      new Option('--format <format>', 'default: from the file extension').choices(RECORD_FORMATS),
    )
    .option('--server <url>', 'filter through this Bouncer server instead of the local database')
    .option('--key <key>', 'API key for --server (default: BOUNCER_API_KEY)')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .action(runFilter);

  program
    .command('import')
    .description(
      'Bulk-load suppressions: Bouncer exports, SendGrid suppression CSVs, SES suppressed destinations, NDJSON',
    )
    .argument('<file>', 'the file, or - for stdin')
    .addOption(
      new Option('--format <format>', 'default: from the file extension').choices(RECORD_FORMATS),
    )
    .addOption(
      new Option('--reason <reason>', 'reason for every row (default: from the file)').choices(
        REASONS,
      ),
    )
    .option('--source <source>', 'source for rows that name none')
    .option('--scope <scope>', 'scope for rows that name none (default *)')
    .option('--server <url>', 'import through this Bouncer server instead of the local database')
    .option('--key <key>', 'API key for --server (default: BOUNCER_API_KEY)')
    .action(
      async (
        file: string,
        o: {
          format?: string;
          reason?: Reason;
          source?: string;
          scope?: string;
          server?: string;
          key?: string;
        },
      ) => {
        const format = formatOf(file, o.format);
        const input = openInput(file, process.stderr.isTTY);
        const remote = remoteOf(o);
        const report = (r: { line: number; status: string; error?: string }): void => {
          if (r.status === 'invalid')
            process.stderr.write(`${r.error ?? `line ${r.line}: invalid`}\n`);
        };
        let summary: ImportSummary;
        if (remote) {
          const qs = new URLSearchParams({ results: 'errors' });
          for (const [k, v] of [
            ['reason', o.reason],
            ['source', o.source],
            ['scope', o.scope],
          ] as const)
            if (v) qs.set(k, v);
          const res = await remoteRequest(remote, 'POST', `v1/import?${qs}`, {
            stream: input,
            contentType: CONTENT_TYPES[format],
          });
          let last = '';
          for await (const text of withoutLastLine(res, (l) => (last = l)))
            for (const l of text.split('\n'))
              if (l) report(JSON.parse(l) as { line: number; status: string });
          summary = (JSON.parse(last) as { summary: ImportSummary }).summary;
        } else {
          summary = await withServices(async (s) => {
            const run = s.imports.run(input, {
              format,
              defaults: { reason: o.reason, source: o.source, scope: o.scope },
              actor: `cli:${process.env.USER ?? 'unknown'}`,
            });
            for await (const batch of run.results) batch.forEach(report);
            return run.summary;
          });
        }
        process.stdout.write(
          `${countOf(summary.total, 'row')}: ${summary.imported} imported, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.invalid} invalid\n`,
        );
        if (summary.invalid > 0) process.exitCode = 1;
      },
    );

  program
    .command('export')
    .description('Write the suppression list (or the part the filters select) as CSV or NDJSON')
    .addOption(new Option('--format <format>').choices(RECORD_FORMATS).default('csv'))
    .option('--out <file>', 'write here instead of stdout')
    .addOption(new Option('--channel <channel>').choices(['email', 'sms']))
    .addOption(new Option('--reason <reason>').choices(REASONS))
    .option('--source <source>')
    .option('--scope <scope>')
    .option('--q <text>', 'part of the address')
    .option('--from <time>', 'created at or after (ISO-8601)')
    .option('--to <time>', 'created before (ISO-8601)')
    .option('--active', 'only suppressions in force now')
    .option('--server <url>', 'export from this Bouncer server instead of the local database')
    .option('--key <key>', 'API key for --server (default: BOUNCER_API_KEY)')
    .action(
      async (o: {
        format: RecordFormat;
        out?: string;
        channel?: string;
        reason?: string;
        source?: string;
        scope?: string;
        q?: string;
        from?: string;
        to?: string;
        active?: boolean;
        server?: string;
        key?: string;
      }) => {
        const remote = remoteOf(o);
        const time = (v: string | undefined, name: string): number | undefined => {
          if (v === undefined) return undefined;
          const t = Date.parse(v);
          if (Number.isNaN(t)) throw new Error(`--${name}: "${v}" is not an ISO-8601 time`);
          return t;
        };
        if (remote) {
          const qs = new URLSearchParams({ format: o.format });
          for (const k of ['channel', 'reason', 'source', 'scope', 'q', 'from', 'to'] as const)
            if (o[k]) qs.set(k, o[k]);
          if (o.active) qs.set('active', 'true');
          await pipeline(await remoteRequest(remote, 'GET', `v1/export?${qs}`), openOutput(o.out));
          return;
        }
        await withServices(async (s) => {
          const filters = {
            channel: o.channel,
            reason: o.reason,
            source: o.source,
            scope: o.scope,
            q: o.q,
            createdFrom: time(o.from, 'from'),
            createdTo: time(o.to, 'to'),
            activeAt: o.active ? Date.now() : undefined,
          };
          await pipeline(
            Readable.from(s.suppressions.export(filters, o.format)),
            openOutput(o.out),
          );
        });
      },
    );
}
