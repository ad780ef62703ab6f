// Build the server (dist/) and the dashboard (src/web/dist/) only when their inputs changed, so
// `npm start` and `npx bouncer` start in well under a second on an unchanged checkout instead
// of recompiling every time. Plain JavaScript on purpose: it runs before anything is compiled.
//
//   node scripts/ensure-build.js           build if stale (prestart, prepare, bin/bouncer.js)
//   node scripts/ensure-build.js --force   build now (`npm run build`)
//
// Stale means: the fingerprint of the inputs (path, size and mtime of every file under src/
// except the built dashboard, plus the build configuration and the lockfile) differs from the
// one stored in dist/.build-stamp, or an output is missing. A deleted or renamed source changes
// the fingerprint too, which a newest-mtime comparison would miss.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(ROOT, 'dist', '.build-stamp');
const INPUT_FILES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'scripts/build-web.ts',
];
const SKIP_DIRS = new Set([join(ROOT, 'src', 'web', 'dist')]);
const OUTPUTS = ['dist/start.js', 'dist/cli/run.js', 'src/web/dist/index.html'];

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(path)) walk(path, out);
    } else if (entry.isFile()) out.push(path);
  }
}

export function fingerprint() {
  const files = [];
  walk(join(ROOT, 'src'), files);
  for (const f of INPUT_FILES) if (existsSync(join(ROOT, f))) files.push(join(ROOT, f));
  const hash = createHash('sha256');
  for (const f of files.sort()) {
    const s = statSync(f);
    hash.update(`${relative(ROOT, f)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

export function isFresh(print = fingerprint()) {
  if (OUTPUTS.some((o) => !existsSync(join(ROOT, o)))) return false;
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === print;
}

/**
 * Build when stale (or always, with `force`). Build output goes to `stdio` (inherit by default;
 * the bin passes stderr so a command's stdout stays clean). Returns whether it built.
 */
export function ensureBuild({ force = false, stdio = 'inherit' } = {}) {
  // Taken before building: a source edited during the build makes the next start rebuild.
  const print = fingerprint();
  if (!force && isFresh(print)) return false;
  const io = stdio === 'stderr' ? ['ignore', process.stderr, process.stderr] : 'inherit';
  for (const script of ['build:server', 'build:web']) {
    const r = spawnSync('npm', ['run', '--silent', script], { cwd: ROOT, stdio: io });
    if (r.status !== 0) {
      process.stderr.write(`bouncer: \`npm run ${script}\` failed (exit ${r.status})\n`);
      process.exit(r.status ?? 1);
    }
  }
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  writeFileSync(STAMP, `${print}\n`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  const built = ensureBuild({ force });
  if (!built && !process.argv.includes('--quiet')) process.stdout.write('build is up to date\n');
}
