#!/usr/bin/env node
// The `bouncer` command: runs the compiled CLI. In a checkout (src/ present) it first rebuilds
// dist/ if the sources changed since the last build (a few milliseconds when nothing did), so
// `npx bouncer` never runs stale code; build output goes to stderr to keep stdout clean.
import { existsSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { URL } from 'node:url';

const ensureScript = new URL('../scripts/ensure-build.js', import.meta.url);
if (existsSync(new URL('../src/', import.meta.url)) && existsSync(ensureScript)) {
  const { ensureBuild } = await import(ensureScript.href);
  ensureBuild({ stdio: 'stderr' });
}
// Cached bytecode (OS temp dir) makes every later command start faster; see src/start.ts.
enableCompileCache();
await import('../dist/cli/run.js');
