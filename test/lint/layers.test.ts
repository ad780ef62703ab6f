import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The layer rules only work while ESLint resolves `./x.js` to `./x.ts`; without the resolver the
 * zones skip every import and pass vacuously. These lint deliberately bad sources (as text, at
 * paths inside src/) and expect the errors, so the rules cannot silently die again.
 */
async function lint(path: string, code: string): Promise<string[]> {
  // The project's own config; type-aware rules off, as the probe files are not in the program.
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }],
  });
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${path}` });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

describe('lint enforces the layers', () => {
  it('refuses an import of storage/ from core/', async () => {
    const messages = await lint(
      'src/core/layer-probe.ts',
      "import { openDatabase } from '../storage/database.js';\nexport const probe = openDatabase;\n",
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/^import-x\/no-restricted-paths: .*core\/ is pure/),
    );
  });

  it('refuses http/ reaching into storage/ and services/ importing an edge', async () => {
    const http = await lint(
      'src/http/layer-probe.ts',
      "import { listDeliveries } from '../storage/repositories/delivery.repository.js';\nexport const probe = listDeliveries;\n",
    );
    expect(http).toContainEqual(
      expect.stringMatching(/no-restricted-paths: .*http\/ goes through services/),
    );
    const services = await lint(
      'src/services/layer-probe.ts',
      "import { buildApp } from '../http/app.js';\nexport const probe = buildApp;\n",
    );
    expect(services).toContainEqual(
      expect.stringMatching(/no-restricted-paths: .*services\/ are called by the edges/),
    );
  });

  it('refuses database drivers outside storage/', async () => {
    const messages = await lint(
      'src/services/layer-probe.ts',
      "import { sql } from 'kysely';\nexport const probe = sql;\n",
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/^no-restricted-imports: .*Only src\/storage\/ imports kysely/),
    );
  });

  it('accepts the same imports where the layers allow them', async () => {
    const messages = await lint(
      'src/services/layer-probe.ts',
      "import type { Db } from '../storage/database.js';\nexport type Probe = Db;\n",
    );
    expect(messages.filter((m) => m.includes('restricted') || m.startsWith('fatal'))).toEqual([]);
  });
});
