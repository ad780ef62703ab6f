import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
export const WEB_OUT_DIR = `${root}src/web/dist/`;

/**
 * Bundle the dashboard (lit + uPlot, CSS included) into src/web/dist/ for @fastify/static
 * (or into `outDir`: tests build their own copy rather than rewrite the tree other test files
 * may be serving):
 * everything it needs is served by Bouncer itself, no CDN at run time.
 */
export async function buildWeb(opts: { minify?: boolean; outDir?: string } = {}): Promise<string> {
  const out = opts.outDir ? `${opts.outDir.replace(/\/+$/, '')}/` : WEB_OUT_DIR;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(`${out}assets`, { recursive: true });
  await build({
    entryPoints: { app: `${root}src/web/app/main.ts` },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: opts.minify ?? true,
    sourcemap: true,
    outdir: `${out}assets`,
    logLevel: 'warning',
    legalComments: 'linked',
  });
  copyFileSync(`${root}src/web/index.html`, `${out}index.html`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildWeb();
  process.stdout.write(`dashboard built into ${WEB_OUT_DIR}\n`);
}
