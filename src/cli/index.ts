import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { isAppError } from '../core/errors.js';
import { registerAlertCommands } from './commands/alerts.commands.js';
import { registerSyncCommands } from './commands/sync.commands.js';
import { registerBulkCommands } from './commands/bulk.commands.js';
import { registerDeliveryCommands } from './commands/deliveries.commands.js';
import { registerKeyCommands } from './commands/keys.commands.js';
import { registerMailCommands } from './commands/mail.commands.js';
import { registerReportCommands } from './commands/report.commands.js';
import { registerServerCommands } from './commands/server.commands.js';
import { registerSuppressionCommands } from './commands/suppressions.commands.js';
import { registerPrivacyCommands } from './commands/privacy.commands.js';

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

  registerServerCommands(program);
  registerSuppressionCommands(program);
  registerKeyCommands(program);
  registerDeliveryCommands(program);
  registerMailCommands(program);
  registerReportCommands(program);
  registerBulkCommands(program);
  registerAlertCommands(program);
  registerPrivacyCommands(program);
  registerSyncCommands(program);
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
