import type { Command } from 'commander';
import { print, table, withServices } from '../context.js';

/** `bouncer sync status|run --provider P`. */
export function registerSyncCommands(program: Command): void {
  const sync = program
    .command('sync')
    .description('Two-way sync with the providers’ own suppression lists (BOUNCER_SYNC_*)');
  sync
    .command('status')
    .description('Push backlog and the last pull of each provider')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await withServices((s) => s.sync.status());
      print(r, o.json ?? false, () =>
        table(
          r.providers.map((p) => {
            const push = p.push as Record<string, number>;
            const pull = (p.pull ?? {}) as Record<string, unknown>;
            return {
              provider: p.provider,
              configured: p.configured,
              push_pending: push.pending,
              push_dead: push.dead,
              last_pull: pull.last_completed_at ?? '-',
              last_imported: pull.last_imported,
              pull_error: pull.last_error ?? '',
            };
          }),
          [
            'provider',
            'configured',
            'push_pending',
            'push_dead',
            'last_pull',
            'last_imported',
            'pull_error',
          ],
        ),
      );
    });
  sync
    .command('run')
    .description('Pull a provider’s list now (resuming an interrupted pass) and send queued pushes')
    .requiredOption('--provider <name>', 'sendgrid, ses or mailgun')
    .option('--json', 'print JSON')
    .action(async (o: { provider: string; json?: boolean }) => {
      const r = await withServices(async (s) => {
        const provider = s.sync.parseProvider(o.provider);
        await s.outbound.syncConfigSubscriptions();
        const pushed = await s.outbound.deliverDue(1_000);
        const pulled = await s.sync.pull(provider);
        return { pushed, pulled };
      });
      print(r, o.json ?? false, () =>
        [
          `pushed: ${r.pushed.delivered} delivered, ${r.pushed.retry} to retry, ${r.pushed.dead} dead`,
          `pulled ${r.pulled.seen} entries in ${r.pulled.pages} pages: ${r.pulled.imported} new, ${r.pulled.skipped} skipped`,
        ].join('\n'),
      );
    });
}
