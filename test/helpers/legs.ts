import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * The optional legs of the suite: tests that need something outside the repository. Each runs
 * when its service or material is there and is skipped otherwise; global setup detects them once,
 * puts the verdict in the environment (the test forks inherit it), fails the run when
 * BOUNCER_TEST_REQUIRE names a missing one, and lists the skipped ones at the end of the run.
 */
export const LEG_NAMES = ['postgres', 'dovecot', 'chromium', 'shared'] as const;
export type LegName = (typeof LEG_NAMES)[number];

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Base URL of the PostgreSQL the suite runs against (trust auth on this machine and in CI). */
export const TEST_PG_URL =
  process.env.BOUNCER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const CHROMIUM = process.env.BOUNCER_CHROMIUM ?? '/usr/bin/chromium';

/**
 * `../shared/` next to the checkout, or BOUNCER_SHARED_DIR. Material from outside the project (the bounce-mail corpus, AWS-signed SNS
 * messages) stays there and is never copied into the repository.
 */
export function sharedDir(): string | null {
  const env = process.env.BOUNCER_SHARED_DIR;
  if (env !== undefined && env !== '') return existsSync(env) ? env : null;
  const beside = join(REPO_ROOT, '../shared');
  return existsSync(join(beside, 'providers')) ? beside : null;
}

/** `dovecot` on the PATH, else where Debian puts it; BOUNCER_TEST_DOVECOT names the binary. */
export function dovecotBinary(): string {
  const env = process.env.BOUNCER_TEST_DOVECOT;
  const candidates = env ? [env] : ['dovecot', '/usr/sbin/dovecot'];
  for (const candidate of candidates) {
    const r = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return candidate;
  }
  return '';
}

async function postgresReachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** What each leg is and how to enable it, for the end-of-run list and the README. */
export function legHelp(name: LegName): string {
  switch (name) {
    case 'postgres':
      return `PostgreSQL (not reachable at ${TEST_PG_URL}: start it or set BOUNCER_TEST_PG_URL; BOUNCER_TEST_DIALECTS=sqlite runs SQLite only)`;
    case 'dovecot':
      return 'Dovecot (not installed: apt-get install -y dovecot-imapd dovecot-pop3d)';
    case 'chromium':
      return `Chromium (not found at ${CHROMIUM}: apt-get install -y chromium, or set BOUNCER_CHROMIUM)`;
    case 'shared':
      return 'shared material (../shared not found: set BOUNCER_SHARED_DIR)';
  }
}

/** Legs this run wants: PostgreSQL only when BOUNCER_TEST_DIALECTS asks for it. */
function wantedLegs(dialects: readonly string[]): LegName[] {
  return LEG_NAMES.filter((l) => l !== 'postgres' || dialects.includes('postgres'));
}

/** Detects every wanted leg; returns the missing ones (run once, in global setup). */
export async function detectLegs(dialects: readonly string[]): Promise<LegName[]> {
  const missing: LegName[] = [];
  for (const leg of wantedLegs(dialects)) {
    const ok =
      leg === 'postgres'
        ? (await postgresReachable()) === null
        : leg === 'dovecot'
          ? dovecotBinary() !== ''
          : leg === 'chromium'
            ? existsSync(CHROMIUM)
            : sharedDir() !== null;
    if (!ok) missing.push(leg);
  }
  return missing;
}

/** BOUNCER_TEST_REQUIRE: `all`, or a comma list of leg names that must not be skipped. */
/**
 * The legs BOUNCER_TEST_REQUIRE makes mandatory. `all` means every leg the run asked for: with
 * BOUNCER_TEST_DIALECTS=sqlite (a SQLite-only leg, as CI's Node 22 pass) PostgreSQL is not one.
 */
export function requiredLegs(dialects: readonly string[] = ['sqlite', 'postgres']): LegName[] {
  const raw = (process.env.BOUNCER_TEST_REQUIRE ?? '').trim();
  if (raw === '') return [];
  if (raw === 'all')
    return LEG_NAMES.filter((l) => l !== 'postgres' || dialects.includes('postgres'));
  const names = raw.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(LEG_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw new Error(
      `BOUNCER_TEST_REQUIRE names unknown legs ${unknown.join(', ')} (known: all, ${LEG_NAMES.join(', ')})`,
    );
  return names as LegName[];
}

const SKIPPED_ENV = 'BOUNCER_TEST_SKIPPED_LEGS';

export function recordSkippedLegs(skipped: readonly LegName[]): void {
  process.env[SKIPPED_ENV] = skipped.join(',');
}

/**
 * Whether a leg runs. In the test forks the verdict comes from global setup; a leg is only
 * re-detected where no setup ran (a script importing the helpers).
 */
export function legAvailable(name: LegName): boolean {
  const recorded = process.env[SKIPPED_ENV];
  if (recorded !== undefined) return !recorded.split(',').includes(name);
  if (name === 'dovecot') return dovecotBinary() !== '';
  if (name === 'chromium') return existsSync(CHROMIUM);
  if (name === 'shared') return sharedDir() !== null;
  return true;
}

/** `describe.skipIf(skipLeg('dovecot'))(…)`: true when the leg is not available. */
export const skipLeg = (name: LegName): boolean => !legAvailable(name);

export function skippedLegsReport(skipped: readonly LegName[]): string {
  if (skipped.length === 0) return 'Skipped legs: none';
  return ['Skipped legs:', ...skipped.map((l) => `  - ${legHelp(l)}`)].join('\n');
}
