import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';
import { FixedClock, MS_PER_DAY } from '../../src/core/clock.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON lines, inspected by shape
type Line = Record<string, any>;
const lines = (body: string): Line[] =>
  body
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

describe.each(testDialects())('import and export on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  const post = (query: string, body: string, contentType = 'text/csv', key?: string) =>
    t.app.inject({
      method: 'POST',
      url: `/v1/import${query}`,
      payload: body,
      headers: { ...auth(key), 'content-type': contentType },
    });
  const status = async (address: string, scope?: string) =>
    (
      await t.app.inject({
        method: 'GET',
        url: `/v1/suppressions/${encodeURIComponent(address)}${scope ? `?scope=${scope}` : ''}`,
        headers: auth(),
      })
    ).json();

  it('imports a SendGrid bounce export with per-row results, without aborting on a bad row', async () => {
    const csv =
      'email,created,status,reason\r\nA@Bounce.example,1690000000,5.1.1,"550 5.1.1 user unknown, sorry"\r\nsoft@bounce.example,1690000000,4.2.2,mailbox full\r\nnot-an-address,1690000000,5.1.1,x\r\n';
    const res = await post('', csv);
    expect(res.statusCode).toBe(200);
    const out = lines(res.body);
    expect(out.slice(0, 3)).toEqual([
      { line: 2, status: 'imported' },
      { line: 3, status: 'imported' },
      {
        line: 4,
        status: 'invalid',
        error: 'line 4: missing @ (not an email address or a phone number)',
      },
    ]);
    expect(out[3]).toEqual({
      summary: {
        total: 3,
        imported: 2,
        updated: 0,
        unchanged: 0,
        invalid: 1,
        kind: 'sendgrid_bounces',
      },
    });
    expect((await status('a@bounce.example')).entries).toMatchObject([
      { reason: 'hard_bounce', source: 'sendgrid', since: '2023-07-22T04:26:40.000Z' },
    ]);
    // A 4.x.x bounce of 2023 is soft: its cool-down is long over (see the cool-down tests below).
    expect(await status('soft@bounce.example')).toMatchObject({ suppressed: false, entries: [] });
  });

  it('reads SES suppressed destinations, spam reports and group unsubscribes (with a scope)', async () => {
    const ses = await post(
      '',
      'EmailAddress,Reason,LastUpdateTime\nc@ses.example,COMPLAINT,2023-07-21T10:00:00Z\nd@ses.example,BOUNCE,2023-07-21T10:00:00Z\ne@ses.example,OTHER,2023-07-21T10:00:00Z\n',
    );
    expect(lines(ses.body).pop()!.summary).toMatchObject({ imported: 2, invalid: 1, kind: 'ses' });
    expect((await status('c@ses.example')).entries).toMatchObject([
      { reason: 'spam_complaint', source: 'ses' },
    ]);
    const spam = await post('', 'email,created,ip\nf@sg.example,1690000000,10.0.0.1\n');
    expect((await status('f@sg.example')).entries).toMatchObject([
      { reason: 'spam_complaint', source: 'sendgrid' },
    ]);
    expect(lines(spam.body).pop()!.summary.kind).toBe('sendgrid_spam_reports');
    await post('?scope=42', 'email,created\ng@sg.example,1690000000\n');
    const g = await status('g@sg.example', '42');
    expect(g).toMatchObject({
      suppressed: true,
      entries: [{ scope: '42', reason: 'unsubscribe' }],
    });
    expect((await status('g@sg.example')).suppressed).toBe(false);
  });

  it('never weakens a stronger suppression, but strengthens a weaker one', async () => {
    const weaker = await post('', 'email,created\na@bounce.example,1690000000\n');
    expect(lines(weaker.body)[0]).toEqual({ line: 2, status: 'unchanged' });
    expect((await status('a@bounce.example')).entries).toMatchObject([{ reason: 'hard_bounce' }]);
    const stronger = await post(
      '',
      'EmailAddress,Reason,LastUpdateTime\na@bounce.example,COMPLAINT,2024-01-01T00:00:00Z\n',
    );
    expect(lines(stronger.body)[0]).toEqual({ line: 2, status: 'updated' });
    expect((await status('a@bounce.example')).entries).toMatchObject([
      { reason: 'spam_complaint', source: 'ses' },
    ]);
    const again = await post(
      '',
      'EmailAddress,Reason,LastUpdateTime\na@bounce.example,COMPLAINT,2024-01-01T00:00:00Z\n',
    );
    expect(lines(again.body)[0]).toEqual({ line: 2, status: 'unchanged' });
  });

  it('takes NDJSON with defaults, reports only errors on request, and audits one entry per import', async () => {
    const body =
      '{"address":"h@nd.example"}\n"i@nd.example"\n{"email":"j@nd.example","reason":"nonsense"}\n{broken\n';
    const res = await post(
      '?reason=manual&source=crm&results=errors',
      body,
      'application/x-ndjson',
    );
    const out = lines(res.body);
    expect(out.map((l) => l.line ?? 'summary')).toEqual([4, 'summary']);
    expect(out[0]!.error).toMatch(/^line 4: malformed JSON/);
    expect(out[1]!.summary).toMatchObject({ total: 4, imported: 3, invalid: 1 });
    expect((await status('j@nd.example')).entries).toMatchObject([
      { reason: 'manual', source: 'crm' },
    ]);
    const strict = await post(
      '',
      '{"email":"k@nd.example","reason":"nonsense"}\n',
      'application/x-ndjson',
    );
    expect(lines(strict.body)[0]!.error).toMatch(/^line 1: reason "nonsense" is not one of/);
    const audit = await t.app.inject({
      method: 'GET',
      url: '/v1/audit?limit=100',
      headers: auth(),
    });
    const imports = (audit.json().items as Line[]).filter((a) => a.action === 'import');
    expect(imports.length).toBe(9);
    expect(imports[1]!.after).toMatchObject({
      total: 4,
      imported: 3,
      invalid: 1,
      format: 'ndjson',
    });
  });

  it('refuses imports without the write scope or a readable format', async () => {
    const readKey = (await t.services.apiKeys.create('reader', 'read')).key;
    expect((await post('', 'email\na@b.example\n', 'text/csv', readKey)).statusCode).toBe(403);
    expect((await post('', '<x/>', 'application/xml')).statusCode).toBe(415);
    expect(
      (await post('?format=csv', 'email\nz@octet.example\n', 'application/octet-stream'))
        .statusCode,
    ).toBe(200);
  });

  it('exports the list as CSV and NDJSON that import back into an empty instance unchanged', async () => {
    const csv = await t.app.inject({
      method: 'GET',
      url: '/v1/export?format=csv',
      headers: auth(),
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\n')[0]).toBe(
      'address,channel,scope,reason,source,since,until,last_event_at,soft_count',
    );
    const nd = await t.app.inject({
      method: 'GET',
      url: '/v1/export?format=ndjson',
      headers: auth(),
    });
    const filtered = await t.app.inject({
      method: 'GET',
      url: '/v1/export?format=ndjson&reason=unsubscribe',
      headers: auth(),
    });
    expect(lines(filtered.body).map((e) => e.address)).toEqual(['g@sg.example']);
    for (const [format, body, type] of [
      ['csv', csv.body, 'text/csv'],
      ['ndjson', nd.body, 'application/x-ndjson'],
    ] as const) {
      const other = await buildTestApp(dialect);
      try {
        const imported = await other.app.inject({
          method: 'POST',
          url: '/v1/import',
          payload: body,
          headers: { ...auth(), 'content-type': type },
        });
        expect(lines(imported.body).pop()!.summary).toMatchObject({ invalid: 0, kind: 'bouncer' });
        const back = await other.app.inject({
          method: 'GET',
          url: `/v1/export?format=${format}`,
          headers: auth(),
        });
        const pick = (e: Line) => [e.address, e.scope, e.reason, e.source, e.since, e.until];
        const rows = (text: string): string[] =>
          format === 'csv'
            ? text
                .trim()
                .split('\n')
                .slice(1)
                .map((l) => l.split(',').slice(0, 7).join(','))
            : lines(text).map((e) => JSON.stringify(pick(e)));
        expect(rows(back.body).sort()).toEqual(rows(body).sort());
      } finally {
        await other.close();
      }
    }
  });
});

describe.each(testDialects())('imported temporary suppressions on %s', (dialect) => {
  const since = Date.parse('2024-03-01T00:00:00Z');
  const clock = new FixedClock(since + 2 * MS_PER_DAY);
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock,
      env: { BOUNCER_POLICY: '{"sms_failure":{"mode":"cooldown","cooldownDays":3}}' },
    });
  });
  afterAll(async () => t.close());

  const check = async (address: string) =>
    (
      await t.app.inject({
        method: 'GET',
        url: `/v1/suppressions/${encodeURIComponent(address)}`,
        headers: auth(),
      })
    ).json();

  it('cool down as the policy says, from the row time (or the import time), not for ever', async () => {
    const csv = [
      'email,created,status,reason',
      'soft@cool.example,2024-03-01T00:00:00Z,4.2.2,mailbox full',
      'old@cool.example,2024-02-01T00:00:00Z,4.2.2,mailbox full',
      'hard@cool.example,2024-03-01T00:00:00Z,5.1.1,user unknown',
    ].join('\n');
    const nd = [
      '{"address":"+14155550100","reason":"sms_failure"}',
      '{"address":"kept@cool.example","reason":"soft_bounce","until":"2025-01-01T00:00:00Z"}',
    ].join('\n');
    for (const [body, type] of [
      [csv, 'text/csv'],
      [nd, 'application/x-ndjson'],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/import',
        payload: body,
        headers: { ...auth(), 'content-type': type },
      });
      expect(lines(res.body).pop()!.summary).toMatchObject({ invalid: 0 });
    }
    expect(await check('soft@cool.example')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'soft_bounce', until: '2024-03-08T00:00:00.000Z' }],
    });
    // Its cool-down (from its own time, a month ago) is over already.
    expect((await check('old@cool.example')).suppressed).toBe(false);
    expect(await check('hard@cool.example')).toMatchObject({
      entries: [{ reason: 'hard_bounce', until: null }],
    });
    // No time in the row: from the import; the configured 3 days for SMS failures.
    expect(await check('+14155550100')).toMatchObject({
      entries: [
        { reason: 'sms_failure', until: new Date(clock.now() + 3 * MS_PER_DAY).toISOString() },
      ],
    });
    // A given `until` wins over the policy.
    expect(await check('kept@cool.example')).toMatchObject({
      entries: [{ until: '2025-01-01T00:00:00.000Z' }],
    });
    // Lists are ordered by when Bouncer recorded an entry, and say so: created_at, not since.
    const list = (
      await t.app.inject({ method: 'GET', url: '/v1/suppressions?limit=10', headers: auth() })
    ).json().items as Line[];
    expect(list.find((e) => e.address === 'soft@cool.example')).toMatchObject({
      since: '2024-03-01T00:00:00.000Z',
      created_at: new Date(clock.now()).toISOString(),
    });
    clock.advance(6 * MS_PER_DAY);
    expect((await check('soft@cool.example')).suppressed).toBe(false);
  });
});
