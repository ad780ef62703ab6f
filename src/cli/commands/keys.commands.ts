import { Option, type Command } from 'commander';
import { KEY_SCOPES } from '../../services/access/api-keys.js';
import { print, table, withServices } from '../context.js';

/** `bouncer keys create|list|revoke`. */
export function registerKeyCommands(program: Command): void {
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
}
