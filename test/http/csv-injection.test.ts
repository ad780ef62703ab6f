import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';

describe.each(testDialects())('CSV export formula injection on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const by = { actor: 'test', note: '=HYPERLINK("http://evil.example")' };
    await t.services.suppressions.suppress({
      ...by,
      address: '+15551234567',
      reason: 'sms_opt_out',
    });
    await t.services.suppressions.suppress({
      ...by,
      address: 'formula@example.com',
      scope: '@SUM(A1:A9)',
    });
  });
  afterAll(async () => t.close());

  const exportCsv = async () =>
    (await t.app.inject({ method: 'GET', url: '/v1/export?format=csv', headers: auth() })).body;

  it('prefixes cells that start with = + - @ (or tab, CR) with a quote', async () => {
    const csv = await exportCsv();
    expect(csv).toMatch(/^'\+15551234567,/m);
    expect(csv).toContain("'@SUM(A1:A9)");
    for (const line of csv.trim().split('\n').slice(1))
      for (const cell of line.split(',')) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('imports the export back to the same suppressions', async () => {
    const csv = await exportCsv();
    const other = await buildTestApp(dialect);
    const res = await other.app.inject({
      method: 'POST',
      url: '/v1/import',
      payload: csv,
      headers: { ...auth(), 'content-type': 'text/csv' },
    });
    expect(res.statusCode).toBe(200);
    const status = await other.services.suppressions.status('+15551234567');
    expect(status).toMatchObject({ suppressed: true });
    const scoped = await other.services.suppressions.status('formula@example.com', '@SUM(A1:A9)');
    expect(scoped).toMatchObject({ suppressed: true });
    await other.close();
  });
});
