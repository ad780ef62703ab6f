import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { fileURLToPath } from 'node:url';

const RESULTS_PATH = fileURLToPath(new URL('../RESULTS.md', import.meta.url));

/** One line naming the machine and date, for every section of RESULTS.md. */
export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const gib = Math.round(totalmem() / 2 ** 30);
  return `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} × ${cpu}, ${gib} GiB, ${platform()} ${release()}, Node ${process.version}.`;
}

/**
 * Replace the section between `<!-- NAME:start -->` and `<!-- NAME:end -->` in bench/RESULTS.md
 * (appending it if absent), so each benchmark rewrites only its own figures.
 */
export function writeResultsSection(name: string, markdown: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const current = existsSync(RESULTS_PATH)
    ? readFileSync(RESULTS_PATH, 'utf8')
    : '# Benchmark results\n';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from !== -1 && to > from
      ? current.slice(0, from) + block + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(RESULTS_PATH, next);
}
