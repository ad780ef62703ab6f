import { fileURLToPath } from 'node:url';

/**
 * The `bouncer` command bundled from source once per test run (see global-setup.ts), so each
 * child process starts with plain `node` in a fraction of a second instead of compiling the
 * sources again through tsx. Two levels below the repository root, like `dist/cli/`, so paths
 * the sources resolve relative to themselves (the dashboard's assets) still point at the repo.
 */
export const CLI_BUNDLE = fileURLToPath(new URL('../../.test-build/cli/run.mjs', import.meta.url));
