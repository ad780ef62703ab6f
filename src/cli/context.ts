import { loadConfig, type Config } from '../config.js';
import { createLogger } from '../logger.js';
import { openMigrated } from '../main.js';
import { createServices, type Services } from '../services/container.js';

/** Services on the configured database, no server needed. The caller closes it. */
export async function withServices<T>(
  fn: (s: Services, config: Readonly<Config>) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  // CLI output goes to stdout; logs go to stderr and only when something is wrong.
  const logger = createLogger(process.env.BOUNCER_LOG_LEVEL ?? 'warn', process.stderr);
  const db = await openMigrated(config, logger);
  try {
    return await fn(createServices(config, db, { now: () => Date.now() }, logger), config);
  } finally {
    await db.close();
  }
}

export function print(value: unknown, json: boolean, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

export function table(
  rows: ReadonlyArray<Record<string, unknown>>,
  columns: readonly string[],
): string {
  if (rows.length === 0) return '(none)';
  const cell = (v: unknown): string => (v === null || v === undefined ? '-' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: readonly string[]): string =>
    vals
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

/** An ISO time, epoch ms, or a duration back from now such as `24h` or `7d`; undefined stays undefined. */
export function parseSince(value: string | undefined, option = '--since'): number | undefined {
  if (value === undefined) return undefined;
  const rel = /^(\d+)([smhd])$/.exec(value);
  if (rel)
    return (
      Date.now() -
      Number(rel[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[rel[2] as 's' | 'm' | 'h' | 'd']
    );
  const t = /^\d{10,}$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(t))
    throw new Error(`${option}: "${value}" is neither an ISO time nor a duration such as 24h`);
  return t;
}
