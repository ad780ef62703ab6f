import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { handleSignals, openMigrated, startServer } from '../../main.js';

/** `bouncer serve` and `bouncer migrate`. */
export function registerServerCommands(program: Command): void {
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
}
