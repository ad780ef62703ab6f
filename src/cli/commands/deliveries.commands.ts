import type { Command } from 'commander';
import { parseSince, print, table, withServices } from '../context.js';

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

/** `bouncer deliveries list|replay` and `bouncer replay`. */
export function registerDeliveryCommands(program: Command): void {
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
}
