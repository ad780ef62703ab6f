import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { isAppError } from '../core/errors.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { handleSignals, openMigrated, startServer } from '../main.js';
import { KEY_SCOPES } from '../services/access/api-keys.js';
import { PURPOSES, type Purpose } from '../services/presend/check-recipients.js';
import { REASONS } from '../core/events.js';
import { parseSince, print, table, withServices } from './context.js';
import { registerMailCommands } from './commands/mail.commands.js';
import { registerReportCommands } from './commands/report.commands.js';
import { registerBulkCommands } from './commands/bulk.commands.js';

async function replayAction(
  ids: string[],
  o: { status?: string; provider?: string; since?: string; json?: boolean },
): Promise<void> {
  const r = await withServices((s) =>
    s.deliveries.replay(
      ids.length > 0
        ? { ids }
        : {
            status: s.deliveries.parseStatus(o.status),
            provider: o.provider,
            since: parseSince(o.since),
          },
    ),
  );
  print(
    r,
    o.json ?? false,
    () => `requeued ${r.requeued}${r.missing.length ? `; not found: ${r.missing.join(', ')}` : ''}`,
  );
  if (r.missing.length > 0) process.exitCode = 1;
}

/** The package's version: package.json sits two levels up from both src/cli and dist/cli. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function buildCli(): Command {
  const program = new Command('bouncer')
    .description(
      'Bouncer: keep bounced, complaining and unsubscribed recipients out of every send.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError();

  program
    .command('serve')
    .description('Run the HTTP server and the worker')
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      handleSignals(await startServer(config, logger), config.shutdownTimeoutMs, logger);
    });

  program
    .command('migrate')
    .description('Bring the database schema up to date')
    .action(async () => {
      const config = loadConfig();
      const db = await openMigrated(config, createLogger('info', process.stderr));
      await db.close();
      process.stdout.write(`database is up to date (${config.database.kind})\n`);
    });

  program
    .command('check')
    .description('May I send to these addresses? Exit code 1 when any is suppressed or invalid')
    .argument('<address...>')
    .option('--scope <scope>', 'unsubscribe group to honour as well')
    .addOption(new Option('--purpose <purpose>').choices(PURPOSES))
    .option('--json', 'print JSON')
    .action(
      async (addresses: string[], o: { scope?: string; purpose?: Purpose; json?: boolean }) => {
        const r = await withServices((s) =>
          s.checker.check({ recipients: addresses, scope: o.scope, purpose: o.purpose }),
        );
        print(r, o.json ?? false, () =>
          [
            ...r.allowed.map((a) => `allowed     ${a.address}`),
            ...r.suppressed.map(
              (s) =>
                `suppressed  ${s.address}  ${s.reason} (scope ${s.scope}, source ${s.source}, ${s.until ? `until ${new Date(s.until).toISOString()}` : 'permanent'})`,
            ),
            ...r.invalid.map((i) => `invalid     ${i.input}  ${i.error}`),
          ].join('\n'),
        );
        if (r.suppressed.length > 0 || r.invalid.length > 0) process.exitCode = 1;
      },
    );

  program
    .command('suppress')
    .description('Suppress an address by hand (audited)')
    .argument('<address>')
    .addOption(new Option('--reason <reason>').choices(REASONS).default('manual'))
    .requiredOption('--note <note>', 'why (kept in the audit log)')
    .option('--scope <scope>', 'unsubscribe group (default: global)')
    .option('--json', 'print JSON')
    .action(
      async (
        address: string,
        o: { reason: string; note: string; scope?: string; json?: boolean },
      ) => {
        const e = await withServices((s) =>
          s.suppressions.suppress({
            address,
            reason: o.reason,
            note: o.note,
            scope: o.scope,
            actor: `cli:${process.env.USER ?? 'unknown'}`,
          }),
        );
        print(e, o.json ?? false, () => `suppressed ${e.address} (${e.reason}, scope ${e.scope})`);
      },
    );

  program
    .command('unsuppress')
    .description('Remove a suppression (audited)')
    .argument('<address>')
    .requiredOption('--note <note>', 'why (kept in the audit log)')
    .option('--scope <scope>', 'scope to remove (default *, "all" for every scope)')
    .option('--json', 'print JSON')
    .action(async (address: string, o: { note: string; scope?: string; json?: boolean }) => {
      const r = await withServices((s) =>
        s.suppressions.unsuppress({
          address,
          note: o.note,
          scope: o.scope,
          actor: `cli:${process.env.USER ?? 'unknown'}`,
        }),
      );
      print(r, o.json ?? false, () =>
        r.removed.map((e) => `removed ${e.address} (${e.reason}, scope ${e.scope})`).join('\n'),
      );
    });

  program
    .command('events')
    .description('The event history of an address, newest first')
    .argument('<address>')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (address: string, o: { limit: string; json?: boolean }) => {
      const r = await withServices((s) =>
        s.suppressions.history(address, Number(o.limit), undefined),
      );
      print(r, o.json ?? false, () =>
        table(r.events, [
          'occurred_at',
          'provider',
          'type',
          'reason',
          'fine_reason',
          'enhanced_status',
          'diagnostic',
        ]),
      );
    });

  const keys = program.command('keys').description('Manage API keys (stored as SHA-256 hashes)');
  keys
    .command('create')
    .addOption(new Option('--scope <scope>').choices(KEY_SCOPES).makeOptionMandatory())
    .option('--name <name>', 'a label for the key')
    .action(async (o: { scope: string; name?: string }) => {
      const k = await withServices((s) => s.apiKeys.create(o.name ?? '', o.scope));
      process.stdout.write(`${k.key}\n`);
      process.stderr.write(`key ${k.id} (${k.scope}) created; it is shown only this once\n`);
    });
  keys
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await withServices((s) => s.apiKeys.list());
      print(list, o.json ?? false, () =>
        table(list, ['id', 'name', 'prefix', 'scope', 'created_at', 'last_used_at', 'revoked_at']),
      );
    });
  keys
    .command('revoke')
    .argument('<id>')
    .action(async (id: string) => {
      await withServices((s) => s.apiKeys.revoke(id));
      process.stdout.write(`revoked ${id}\n`);
    });

  const deliveries = program.command('deliveries').description('Raw webhook deliveries');
  deliveries
    .command('list')
    .option('--status <status>', 'pending | processing | done | ignored | dead')
    .option('--provider <provider>')
    .option('--since <time>', 'ISO time or a duration such as 24h')
    .option('--limit <n>', 'how many', '100')
    .option('--json', 'print JSON')
    .action(
      async (o: {
        status?: string;
        provider?: string;
        since?: string;
        limit: string;
        json?: boolean;
      }) => {
        const r = await withServices((s) =>
          s.deliveries.list(
            {
              status: s.deliveries.parseStatus(o.status),
              provider: o.provider,
              since: parseSince(o.since),
            },
            Number(o.limit),
          ),
        );
        print(r.items, o.json ?? false, () =>
          table(r.items, ['id', 'provider', 'received_at', 'status', 'attempts', 'last_error']),
        );
      },
    );

  // `bouncer replay …` and `bouncer deliveries replay …` are the same command.
  for (const parent of [program, deliveries]) {
    parent
      .command('replay')
      .description(
        'Queue deliveries again by id, or by --status/--provider/--since (safe: de-duplication makes it idempotent)',
      )
      .argument('[id...]')
      .option('--status <status>', 'e.g. dead')
      .option('--provider <provider>')
      .option('--since <time>', 'ISO time or a duration such as 24h')
      .option('--json', 'print JSON')
      .action(replayAction);
  }

  registerMailCommands(program);
  registerReportCommands(program);
  registerBulkCommands(program);
  program
    .command('alerts')
    .description(
      'Alert states and the transitions of the last 7 days (--evaluate runs the rules once first)',
    )
    .option('--evaluate', 'evaluate the rules and send due notifications now')
    .option('--json', 'print JSON')
    .action(async (o: { evaluate?: boolean; json?: boolean }) => {
      const r = await withServices(async (s) => {
        if (o.evaluate) {
          await s.alerts.evaluate();
          await s.alerts.deliverNotifications();
        }
        return s.alerts.list();
      });
      print(r, o.json ?? false, () =>
        [
          'Firing:',
          table(r.firing, [
            'rule',
            'group',
            'severity',
            'value',
            'threshold',
            'fired_at',
            'message',
          ]),
          '',
          'Recent transitions:',
          table(r.recent, ['at', 'rule', 'group', 'transition', 'severity', 'message']),
        ].join('\n'),
      );
    });

  return program;
}

export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await buildCli().parseAsync([...argv]);
  } catch (err) {
    process.stderr.write(
      `bouncer: ${isAppError(err) ? err.message : String((err as Error)?.message ?? err)}\n`,
    );
    process.exitCode = isAppError(err) && err.code === 'BOUNCER_ERR_CONFIG' ? 78 : 2;
  }
}
