import type { Command } from 'commander';
import { print, table, withServices } from '../context.js';

/** `bouncer alerts`. */
export function registerAlertCommands(program: Command): void {
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
}
