import { Option, type Command } from 'commander';
import { STATS_BREAKDOWNS, STATS_INTERVALS, type Counts } from '../../services/reporting/stats.js';
import { parseSince, print, table, withServices } from '../context.js';

const pct = (v: number | null): string => (v === null ? '-' : `${v}%`);
const row = (label: Record<string, string>, c: Counts): Record<string, unknown> => ({
  ...label,
  delivered: c.delivered,
  bounced: c.bounced,
  hard: c.bounced_hard,
  soft: c.bounced_soft,
  complained: c.complained,
  unsubscribed: c.unsubscribed,
  opened: c.opened,
  clicked: c.clicked,
  bounce_rate: pct(c.bounce_rate),
  complaint_rate: pct(c.complaint_rate),
});
const COLUMNS = [
  'delivered',
  'bounced',
  'hard',
  'soft',
  'complained',
  'unsubscribed',
  'opened',
  'clicked',
  'bounce_rate',
  'complaint_rate',
];

/** `bouncer stats` and `bouncer message`: the delivery history, on the local database. */
export function registerReportCommands(program: Command): void {
  program
    .command('stats')
    .description(
      'Delivery and engagement counts and rates per UTC day or hour (bounce rate = bounced / (delivered + bounced))',
    )
    .option(
      '--from <time>',
      'ISO time or a duration back such as 7d (default: 30 days, or 48 hours by hour)',
    )
    .option('--to <time>', 'ISO time or a duration back (exclusive; default now)')
    .addOption(new Option('--interval <interval>').choices(STATS_INTERVALS).default('day'))
    .addOption(new Option('--by <grouping>', 'break down by').choices(STATS_BREAKDOWNS))
    .option('--json', 'print JSON')
    .action(
      async (o: { from?: string; to?: string; interval: string; by?: string; json?: boolean }) => {
        const r = await withServices((s) =>
          s.stats.stats({
            from: parseSince(o.from, '--from'),
            to: parseSince(o.to, '--to'),
            interval: o.interval,
            by: o.by,
          }),
        );
        print(r, o.json ?? false, () => {
          const label = o.by ?? 'group';
          const rows = r.buckets.flatMap((b) =>
            Object.entries(b.groups).map(([g, c]) =>
              row({ start: b.start, ...(o.by ? { [label]: g } : {}) }, c),
            ),
          );
          const totals = Object.entries(r.totals).map(([g, c]) => row({ [label]: g }, c));
          return [
            `${r.interval} buckets from ${r.from} to ${r.to}`,
            table(rows, ['start', ...(o.by ? [label] : []), ...COLUMNS]),
            '',
            'Totals:',
            table(o.by ? totals : [row({ [label]: 'all' }, r.overall)], [label, ...COLUMNS]),
          ].join('\n');
        });
      },
    );

  program
    .command('message')
    .description('The timeline of one message by its provider message id')
    .argument('<providerMessageId>')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const m = await withServices((s) => s.messages.timeline(id));
      print(m, o.json ?? false, () =>
        [
          `message ${m.provider_message_id} (${m.providers.join(', ')}${m.campaign ? `, campaign ${m.campaign}` : ''})`,
          table(m.recipients, ['address', 'status', 'last_event_at']),
          '',
          table(m.events, [
            'occurred_at',
            'provider',
            'type',
            'address',
            'reason',
            'enhanced_status',
            'diagnostic',
          ]),
        ].join('\n'),
      );
    });
}
