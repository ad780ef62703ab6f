import type { Command } from 'commander';
import { print, withServices } from '../context.js';

/** `bouncer erase`: erasure that keeps the suppression (see docs/privacy.md). */
export function registerPrivacyCommands(program: Command): void {
  program
    .command('erase')
    .description(
      'Erase an address: its events and raw deliveries go, its suppressions stay as a keyed hash (audited, without the address)',
    )
    .argument('<address>')
    .option('--json', 'print JSON')
    .action(async (address: string, o: { json?: boolean }) => {
      const r = await withServices((s) =>
        s.erasure.erase(address, `cli:${process.env.USER ?? 'unknown'}`),
      );
      print(
        r,
        o.json ?? false,
        () =>
          `erased: ${r.events} events, ${r.deliveries} raw deliveries, ${r.scrubbedEvents} other events scrubbed; ${r.suppressions} suppressions kept as ${r.keyed}`,
      );
    });

  program
    .command('privacy')
    .description('Privacy mode maintenance')
    .command('migrate')
    .description(
      'Convert rows stored before BOUNCER_PRIVACY_MODE=hashed: addresses to keyed hashes, applied raw deliveries emptied',
    )
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await withServices((s) => s.privacyMigration.migrate());
      print(
        r,
        o.json ?? false,
        () => `converted ${r.addresses} addresses; emptied ${r.deliveries} raw deliveries`,
      );
    });
}
