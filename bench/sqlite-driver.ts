import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { machineLine, writeResultsSection } from './lib/results.js';

/**
 * better-sqlite3 against Node's built-in node:sqlite (BOUNCER_SQLITE_DRIVER), A/B in alternating
 * runs on the same machine: `bench:ingest-cpu` (CPU per webhook of ingest and the worker) and the
 * SQLite half of `bench:filter` (list filtering, single-address GETs, import). Medians per driver.
 * Run: npm run bench:sqlite-driver  (BENCH_ROUNDS, default 2; sizes as the two benchmarks take).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const DRIVERS = ['better-sqlite3', 'node'] as const;
type Driver = (typeof DRIVERS)[number];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

function run(args: string[], env: Record<string, string>): string {
  return execFileSync(process.execPath, ['--import', 'tsx', ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

interface Figures {
  ingestCpuUs: number[];
  workerCpuUs: number[];
  csvMs: number[];
  ndjsonMs: number[];
  getP50Ms: number[];
  importMs: number[];
  peakRssMb: number[];
}

const figures: Record<Driver, Figures> = {
  'better-sqlite3': {
    ingestCpuUs: [],
    workerCpuUs: [],
    csvMs: [],
    ndjsonMs: [],
    getP50Ms: [],
    importMs: [],
    peakRssMb: [],
  },
  node: {
    ingestCpuUs: [],
    workerCpuUs: [],
    csvMs: [],
    ndjsonMs: [],
    getP50Ms: [],
    importMs: [],
    peakRssMb: [],
  },
};

for (let round = 0; round < ROUNDS; round++) {
  for (const driver of DRIVERS) {
    const env = { BOUNCER_SQLITE_DRIVER: driver, BENCH_NO_WRITE: '1' };
    const cpu = run(['bench/ingest-cpu.ts'], env);
    const us = (label: string): number =>
      Number(new RegExp(`\\| ${label}[^|]*\\| (\\d+) µs`).exec(cpu)?.[1] ?? NaN);
    figures[driver].ingestCpuUs.push(us('ingest'));
    figures[driver].workerCpuUs.push(us('worker'));
    const out = run(['bench/filter.ts'], { ...env, BENCH_SQLITE_ONLY: '1' })
      .trim()
      .split('\n');
    const r = JSON.parse(out[out.length - 1] ?? '{}') as {
      csv: number[];
      ndjson: number[];
      getP50: number;
      peakRss: number;
      import: { ms: number };
    };
    figures[driver].csvMs.push(Math.min(...r.csv));
    figures[driver].ndjsonMs.push(Math.min(...r.ndjson));
    figures[driver].getP50Ms.push(r.getP50);
    figures[driver].importMs.push(r.import.ms);
    figures[driver].peakRssMb.push(r.peakRss);
    console.error(`round ${round + 1} ${driver}: ${JSON.stringify(figures[driver])}`);
  }
}

const row = (label: string, key: keyof Figures, unit: string, digits = 0): string =>
  `| ${label} | ${DRIVERS.map((d) => `${median(figures[d][key]).toFixed(digits)} ${unit} (${figures[d][key].map((x) => x.toFixed(digits)).join(', ')})`).join(' | ')} |`;

writeResultsSection(
  'sqlite-driver',
  `
## SQLite binding: better-sqlite3 against node:sqlite (issue 12) (\`npm run bench:sqlite-driver\`)

${machineLine()} Load average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}. ${ROUNDS} alternating rounds per driver; median (every run in brackets).
Sizes: \`bench:ingest-cpu\` (BENCH_WEBHOOKS=${process.env.BENCH_WEBHOOKS ?? '20000'}) and the SQLite half of \`bench:filter\` (BENCH_SUPPRESSIONS=${process.env.BENCH_SUPPRESSIONS ?? '1000000'}, BENCH_RECIPIENTS=${process.env.BENCH_RECIPIENTS ?? '1000000'}, BENCH_IMPORT_ROWS=${process.env.BENCH_IMPORT_ROWS ?? '1000000'}).

| figure | better-sqlite3 | node:sqlite |
|---|---|---|
${row('ingest CPU per webhook', 'ingestCpuUs', 'µs')}
${row('worker CPU per webhook', 'workerCpuUs', 'µs')}
${row('/v1/filter CSV, best of the runs', 'csvMs', 'ms')}
${row('/v1/filter NDJSON, best of the runs', 'ndjsonMs', 'ms')}
${row('single-address GET p50', 'getP50Ms', 'ms', 2)}
${row('import', 'importMs', 'ms')}
${row('peak server RSS', 'peakRssMb', 'MB')}
`,
);
