import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { IMPORT_BATCH_ROWS } from '../../../src/services/suppressions/import-suppressions.js';
import { testDialects } from '../../helpers/dialects.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';

const rows = (n: number): string =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ address: `u${i}@example.com` })).join('\n') +
  '\n';

describe.each(testDialects())('the audit entry of an import on %s', (dialect) => {
  let t: TestApp;
  afterEach(async () => t.close());

  const entries = async () =>
    (await t.services.suppressions.audit(undefined, 10, undefined)).items.filter(
      (e) => e.action === 'import',
    );

  it('is written with the first chunk, so an import that dies after it is visible', async () => {
    t = await buildTestApp(dialect);
    const run = t.services.imports.run(Readable.from([rows(IMPORT_BATCH_ROWS + 5)]), {
      format: 'ndjson',
      defaults: {},
      actor: 'key:test',
    });
    // The first chunk commits; then the process "dies": the import never goes on or finishes.
    await run.results.next();
    const [entry] = await entries();
    expect(entry).toMatchObject({ actor: 'key:test', action: 'import' });
    expect(String(entry?.note)).toMatch(/^import in progress/);
    expect(entry?.after).toMatchObject({
      total: IMPORT_BATCH_ROWS,
      imported: IMPORT_BATCH_ROWS,
      complete: false,
    });
  });

  it('is completed, one entry, when the import finishes', async () => {
    t = await buildTestApp(dialect);
    const run = t.services.imports.run(Readable.from([rows(IMPORT_BATCH_ROWS + 5)]), {
      format: 'ndjson',
      defaults: {},
      actor: 'key:test',
    });
    for await (const batch of run.results) void batch;
    const list = await entries();
    expect(list).toHaveLength(1);
    expect(list[0]?.after).toMatchObject({
      total: IMPORT_BATCH_ROWS + 5,
      imported: IMPORT_BATCH_ROWS + 5,
      complete: true,
    });
    expect(String(list[0]?.note)).toMatch(/^import of 10005 rows/);
  });
});
