// `npm start`: the server alone (the `bouncer` command's `serve` does the same through the CLI).
import { main } from './main.js';

main().catch((err: unknown) => {
  process.stderr.write(`bouncer failed to start: ${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
