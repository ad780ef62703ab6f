import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runBouncer } from '../helpers/cli.js';

describe('bouncer --version', () => {
  it('prints the version from package.json', async () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const r = await runBouncer(['--version'], {});
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});
