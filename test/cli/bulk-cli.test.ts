import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { ADMIN_KEY, buildTestApp, type TestApp } from '../helpers/app.js';
import { runBouncer } from '../helpers/cli.js';

describe.each(testDialects())('bouncer filter, import and export on %s', (dialect) => {
  let t: TestApp;
  let env: Record<string, string>;
  let dir: string;
  let server: string;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    env = { BOUNCER_DATABASE_URL: t.tdb.url };
    dir = mkdtempSync(join(tmpdir(), 'bouncer-cli-'));
    server = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a SendGrid export into the local database, reporting bad rows on stderr', async () => {
    const file = join(dir, 'bounces.csv');
    writeFileSync(
      file,
      'email,created,status,reason\nbounced@example.com,1690000000,5.1.1,user unknown\nnope,1690000000,5.1.1,x\n',
    );
    const r = await runBouncer(['import', file], env);
    expect(r.stdout).toBe('2 rows: 1 imported, 0 updated, 0 unchanged, 1 invalid\n');
    expect(r.stderr).toContain('line 3: missing @');
    expect(r.code).toBe(1);
    const remote = await runBouncer(
      [
        'import',
        '-',
        '--format',
        'ndjson',
        '--reason',
        'unsubscribe',
        '--server',
        server,
        '--key',
        ADMIN_KEY,
      ],
      env,
      '"unsub@example.com"\n',
    );
    expect(remote.stdout).toBe('1 row: 1 imported, 0 updated, 0 unchanged, 0 invalid\n');
  });

  it('filters a CSV list locally: allowed rows out, the summary on stderr', async () => {
    const csv = 'email,name\nbounced@example.com,A\nok@example.com,B\nunsub@example.com,C\n';
    const r = await runBouncer(['filter', '-', '--format', 'csv'], env, csv);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('email,name\nok@example.com,B\n');
    expect(r.stderr).toBe('3 total, 2 suppressed, 1 allowed (hard_bounce 1, unsubscribe 1)\n');
    const tx = await runBouncer(
      ['filter', '-', '--format', 'csv', '--purpose', 'transactional', '--include-suppressed'],
      env,
      csv,
    );
    expect(tx.stdout).toBe(
      'email,name,bouncer_status,bouncer_reason\nbounced@example.com,A,suppressed,hard_bounce\nok@example.com,B,allowed,\nunsub@example.com,C,allowed,\n',
    );
  });

  it('filters through a server with --server/--key, NDJSON and CSV alike', async () => {
    const file = join(dir, 'list.ndjson');
    writeFileSync(
      file,
      '{"address":"bounced@example.com","id":1}\n{"address":"ok@example.com","id":2}\n',
    );
    const out = join(dir, 'allowed.ndjson');
    const r = await runBouncer(
      ['filter', file, '--out', out, '--server', server, '--key', ADMIN_KEY, '--progress'],
      env,
    );
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('{"address":"ok@example.com","id":2}\n');
    expect(r.stderr).toContain('2 total, 1 suppressed, 1 allowed (hard_bounce 1)\n');
    const csv = await runBouncer(
      [
        'filter',
        '-',
        '--format',
        'csv',
        '--column',
        'mail',
        '--server',
        server,
        '--key',
        ADMIN_KEY,
      ],
      env,
      'mail\nunsub@example.com\nfine@example.com\n',
    );
    expect(csv.stdout).toBe('mail\nfine@example.com\n');
    expect(csv.stderr).toBe('2 total, 1 suppressed, 1 allowed (unsubscribe 1)\n');
    const missing = await runBouncer(
      ['filter', '-', '--format', 'csv', '--server', server, '--key', ADMIN_KEY],
      env,
      'mail\nx@example.com\n',
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('answered 400: column: the CSV header has no column "email"');
  });

  it('exports locally and remotely, and the export imports back', async () => {
    const local = await runBouncer(['export', '--format', 'ndjson'], env);
    const addresses = local.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { address: string }).address)
      .sort();
    expect(addresses).toEqual(['bounced@example.com', 'unsub@example.com']);
    const out = join(dir, 'export.csv');
    await runBouncer(
      ['export', '--out', out, '--reason', 'unsubscribe', '--server', server, '--key', ADMIN_KEY],
      env,
    );
    expect(readFileSync(out, 'utf8').split('\n')[1]).toMatch(
      /^unsub@example\.com,email,\*,unsubscribe,import,/,
    );
    const back = await runBouncer(['import', out], env);
    expect(back.stdout).toBe('1 row: 0 imported, 0 updated, 1 unchanged, 0 invalid\n');
  });
});
