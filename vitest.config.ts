import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // examples/ import the client as an application would (the package's own subpaths).
  resolve: {
    alias: {
      'bouncer/client': fileURLToPath(new URL('./src/client/index.ts', import.meta.url)),
      'bouncer/nodemailer': fileURLToPath(new URL('./src/client/nodemailer.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Two cores: a couple of forks keeps PostgreSQL and child-process tests from starving.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
