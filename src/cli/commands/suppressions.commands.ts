import { Option, type Command } from 'commander';
import { REASONS } from '../../core/events.js';
import { PURPOSES, type Purpose } from '../../services/presend/check-recipients.js';
import { print, table, withServices } from '../context.js';

/** `bouncer check|suppress|unsuppress|events`: one address at a time, on the local database. */
export function registerSuppressionCommands(program: Command): void {
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
}
