/**
 * `npm run fuzz`: many random cases per parser and adapter (the typed error only, same answer
 * for the same bytes), then the time of each on growing hostile inputs. Time is judged by the
 * growth exponent fitted over sizes 4× apart (time ∝ size^k: linear k ≈ 1, quadratic k ≈ 2),
 * never by absolute values; single ratios are shown but noisy on a shared machine.
 * Writes bench/FUZZ.md. `FUZZ_CASES` (default 2000) and `FUZZ_MAX_BYTES` (default 1 MiB).
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { fuzzTargets, runCase, type FuzzTarget } from '../test/fuzz/targets.js';

const CASES = Number(process.env.FUZZ_CASES ?? 2_000);
const MAX_BYTES = Number(process.env.FUZZ_MAX_BYTES ?? 4 * 1024 * 1024);
/** A fitted exponent above this is reported super-linear (quadratic is 2; allocation and GC
 * on a shared machine push linear code to about 1.5). */
const MAX_EXPONENT = 1.6;

function fuzz(target: FuzzTarget): { cases: number; failure: string | null } {
  const r = fc.check(
    fc.property(target.input, (input) => runCase(target, input) === runCase(target, input)),
    { numRuns: CASES },
  );
  return {
    cases: r.numRuns,
    failure: r.failed ? String(r.counterexample?.[0]).slice(0, 200) : null,
  };
}

function timeMs(target: FuzzTarget, input: string): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    runCase(target, input);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[2]!;
}

function sizes(): number[] {
  const out: number[] = [];
  for (let n = 16 * 1024; n <= MAX_BYTES; n *= 4) out.push(n);
  return out;
}

/** Least-squares slope of log(time) over log(size); null with fewer than two points. */
function exponent(points: Array<{ bytes: number; ms: number }>): number | null {
  if (points.length < 2) return null;
  const xs = points.map((p) => Math.log(p.bytes));
  const ys = points.map((p) => Math.log(p.ms));
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = ys.reduce((a, b) => a + b) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}

const rows: string[] = [];
let failed = false;
for (const target of fuzzTargets()) {
  const { cases, failure } = fuzz(target);
  const points = sizes().map((n) => {
    const input = target.hostile(n);
    return { bytes: input.length, ms: timeMs(target, input) };
  });
  const ratios = points.slice(1).map((p, i) => p.ms / Math.max(points[i]!.ms, 0.05));
  // Only times over a millisecond count: below that, noise decides.
  const k = exponent(points.filter((p) => p.ms > 1));
  const last = points[points.length - 1]!;
  const verdict = failure
    ? `FAIL: ${failure}`
    : k !== null && k > MAX_EXPONENT
      ? `super-linear (k = ${k.toFixed(2)})`
      : 'ok';
  if (verdict !== 'ok') failed = true;
  rows.push(
    `| ${target.name} | ${cases} | ${(last.bytes / 1024).toFixed(0)} KiB | ${last.ms.toFixed(1)} | ${ratios.map((r) => r.toFixed(1)).join(' / ')} | ${k === null ? '—' : k.toFixed(2)} | ${verdict} |`,
  );
  process.stdout.write(`${rows[rows.length - 1]}\n`);
}

writeFileSync(
  new URL('./FUZZ.md', import.meta.url),
  `# Fuzzing (\`npm run fuzz\`)\n\n${new Date().toISOString()}, Node ${process.version}, ${CASES} random cases per target.\n` +
    `Time ratios: time at 4× the size over time at the size (linear ≈ 4, quadratic ≈ 16); k: exponent of time ∝ size^k fitted over the sizes (linear ≈ 1).\n\n` +
    `| target | cases | largest input | its time (ms) | time ratios | k | verdict |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
);
if (failed) process.exitCode = 1;
