import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, FixedClock, type TestApp } from '../helpers/app.js';

const T0 = Date.UTC(2026, 10, 1, 12);
const HOUR = 3_600_000;

const RECIPIENTS = [
  'hard@example.com',
  'Hard@Example.COM',
  'unsub@example.com',
  'group@example.com',
  'soft@example.com',
  'lifted@example.com',
  'fine@example.com',
  '+1 555 123 4567',
  '+15557654321',
  'vip@friends.example',
  'not-an-address',
  'bad@',
  'complained@example.com',
];

describe.each(testDialects())('POST /v1/filter on %s', (dialect) => {
  let t: TestApp;
  let clock: FixedClock;
  let readKey: string;
  beforeAll(async () => {
    clock = new FixedClock(T0);
    t = await buildTestApp(dialect, { clock, env: { BOUNCER_ALLOWLIST: 'friends.example' } });
    readKey = (await t.services.apiKeys.create('reader', 'read')).key;
    const s = t.services.suppressions;
    const by = { actor: 'test', note: 'fixture' };
    await s.suppress({ ...by, address: 'hard@example.com', reason: 'hard_bounce' });
    await s.suppress({ ...by, address: 'unsub@example.com', reason: 'unsubscribe' });
    await s.suppress({ ...by, address: 'group@example.com', reason: 'unsubscribe', scope: '42' });
    await s.suppress({
      ...by,
      address: 'soft@example.com',
      reason: 'soft_bounce',
      expiresAt: T0 + HOUR,
    });
    await s.suppress({ ...by, address: 'lifted@example.com', reason: 'hard_bounce' });
    await s.unsuppress({ ...by, address: 'lifted@example.com' });
    await s.suppress({ ...by, address: '+15551234567', reason: 'sms_opt_out' });
    await s.suppress({ ...by, address: 'vip@friends.example', reason: 'hard_bounce' });
    await s.suppress({
      ...by,
      address: 'complained@example.com',
      reason: 'spam_complaint',
      scope: '42',
    });
    await s.suppress({ ...by, address: 'complained@example.com', reason: 'unsubscribe' });
  });
  afterAll(async () => t.close());

  const filter = (
    query: string,
    body: string,
    contentType = 'application/x-ndjson',
    key?: string,
  ) =>
    t.app.inject({
      method: 'POST',
      url: `/v1/filter${query}`,
      payload: body,
      headers: { ...auth(key), 'content-type': contentType },
    });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON lines, inspected by shape
  type Line = Record<string, any>;
  const ndjsonLines = (body: string): Line[] =>
    body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);

  /** The same list through /v1/check and /v1/filter must get the same answer, row for row. */
  async function expectSameAsCheck(scope?: string, purpose?: string): Promise<void> {
    const check = await t.app.inject({
      method: 'POST',
      url: '/v1/check',
      payload: { recipients: RECIPIENTS, scope, purpose },
      headers: auth(),
    });
    const c = check.json();
    const qs = new URLSearchParams({
      include: 'suppressed',
      ...(scope ? { scope } : {}),
      ...(purpose ? { purpose } : {}),
    });
    const res = await filter(
      `?${qs}`,
      RECIPIENTS.map((r) => JSON.stringify(r)).join('\n'),
      'application/x-ndjson',
      readKey,
    );
    expect(res.statusCode).toBe(200);
    const lines = ndjsonLines(res.body);
    const summary = lines.pop()!.summary;
    expect(lines.map((l) => l.address)).toEqual(RECIPIENTS);
    for (const l of lines) {
      const sup = c.suppressed.find((x: { input: string }) => x.input === l.address);
      if (c.allowed.includes(l.address)) expect(l.bouncer).toEqual({ status: 'allowed' });
      else if (sup)
        expect(l.bouncer).toEqual({ status: 'suppressed', reason: sup.reason, scope: sup.scope });
      else expect(l.bouncer.status).toBe('invalid');
    }
    expect(summary).toMatchObject({
      total: RECIPIENTS.length,
      allowed: c.allowed.length,
      suppressed: c.suppressed.length,
      invalid: c.invalid.length,
    });
  }

  it('decides every row exactly as /v1/check does, for each scope and purpose', async () => {
    await expectSameAsCheck();
    await expectSameAsCheck('42');
    await expectSameAsCheck(undefined, 'transactional');
    await expectSameAsCheck('42', 'transactional');
    await expectSameAsCheck('7');
  });

  it('keeps agreeing with /v1/check after suppressions are added, lifted and expire', async () => {
    await expectSameAsCheck('42');
    await t.services.suppressions.suppress({
      actor: 'test',
      note: 'later',
      address: 'fine@example.com',
      reason: 'manual',
    });
    await t.services.suppressions.unsuppress({
      actor: 'test',
      note: 'later',
      address: 'hard@example.com',
    });
    await t.services.suppressions.suppress({
      actor: 'test',
      note: 'later',
      address: 'group@example.com',
      reason: 'spam_complaint',
      scope: '42',
    });
    const res = await filter(
      '?include=suppressed',
      '"fine@example.com"\n"hard@example.com"\n"soft@example.com"',
    );
    expect(
      ndjsonLines(res.body)
        .slice(0, 3)
        .map((l) => l.bouncer.status),
    ).toEqual(['suppressed', 'allowed', 'suppressed']);
    await expectSameAsCheck('42');
    clock.advance(HOUR + 1);
    const later = await filter('?include=suppressed', '"soft@example.com"');
    expect(ndjsonLines(later.body)[0]!.bouncer).toEqual({ status: 'allowed' });
    await expectSameAsCheck();
    await expectSameAsCheck('42', 'transactional');
  });

  it('streams back only the allowed NDJSON rows, exactly as received, then the summary', async () => {
    const body = [
      '{"address":"unsub@example.com","name":"U"}',
      '{"email":"ok1@example.com", "n": 1.50}',
      '',
      '{"address":"ok2@example.com","tags":["a"]}\r',
      '{"phone":"+15551234567"}',
      '{not json',
      '[1,2]',
      '{"name":"no recipient"}',
      '"ok3@example.com"',
    ].join('\n');
    const res = await filter('', body);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = res.body.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      '{"email":"ok1@example.com", "n": 1.50}',
      '{"address":"ok2@example.com","tags":["a"]}\r',
      '"ok3@example.com"',
    ]);
    expect(JSON.parse(lines[3]!)).toEqual({
      summary: {
        total: 8,
        allowed: 3,
        suppressed: 2,
        invalid: 3,
        by_reason: { unsubscribe: 1, sms_opt_out: 1 },
      },
    });
  });

  it('annotates malformed lines with their line number instead of aborting', async () => {
    const res = await filter(
      '?include=suppressed&field=to',
      '{"to":"a@example.com"}\n\n{oops\n7\n{}\n{"to":"b@example.com"}',
    );
    const lines = ndjsonLines(res.body);
    expect(lines[0]).toEqual({ to: 'a@example.com', bouncer: { status: 'allowed' } });
    expect(lines[1]!.bouncer.error).toMatch(/^line 3: malformed JSON/);
    expect(lines[1]!.raw).toBe('{oops');
    expect(lines[2]!.bouncer.error).toBe('line 4: expected a JSON object or string');
    expect(lines[3]).toEqual({
      bouncer: { status: 'invalid', error: 'line 5: field "to" is missing or not a string' },
    });
    expect(lines[4]!.bouncer.status).toBe('allowed');
    expect(lines[5]!.summary).toMatchObject({ total: 5, allowed: 2, invalid: 3 });
  });

  it('filters CSV with RFC 4180 quoting, keeps the header, and sends the summary as a trailer', async () => {
    const csv =
      'name,Email,note\r\n"Doe, Jane",unsub@example.com,x\r\nJoe,ok@example.com,"multi\r\nline ""quoted"""\r\nBad,"broken\r\nLast,ok2@example.com,\r\n';
    const res = await filter('?column=email', csv, 'text/csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(String(res.headers.trailer).toLowerCase()).toBe('bouncer-summary');
    expect(res.body).toBe('name,Email,note\r\nJoe,ok@example.com,"multi\r\nline ""quoted"""\r\n');
    expect(JSON.parse(res.trailers['bouncer-summary'] as string)).toEqual({
      summary: { total: 3, allowed: 1, suppressed: 1, invalid: 1, by_reason: { unsubscribe: 1 } },
    });
    const annotated = await filter(
      '?include=suppressed',
      'email\nunsub@example.com\nbad@\n',
      'text/csv',
    );
    expect(annotated.body).toBe(
      'email,bouncer_status,bouncer_reason\nunsub@example.com,suppressed,unsubscribe\nbad@,invalid,empty domain\n',
    );
  });

  it('decides CSV rows, read from the raw bytes, exactly as NDJSON rows, for each scope and purpose', async () => {
    // Every recipient in several CSV forms: plain, quoted, padded, upper-case; CRLF and LF lines,
    // a byte order mark, blank lines, and a last line without a terminator.
    const forms = (r: string, i: number): string[] => [
      `${i},${r},x`,
      `${i},"${r}",x`,
      `${i}, ${r},x`,
      `${i},${r.toUpperCase()},x`,
    ];
    const rows = RECIPIENTS.flatMap(forms);
    const csv = `\ufeffn,email,note\r\n${rows
      .map((r, i) => (i % 3 === 0 ? `${r}\r\n` : i % 7 === 0 ? `${r}\n\n` : `${r}\n`))
      .join('')
      .replace(/\n$/, '')}`;
    const inputs = rows.map((r) => {
      const v = r.slice(r.indexOf(',') + 1, r.lastIndexOf(','));
      return v.startsWith('"') ? v.slice(1, -1) : v;
    });
    for (const [scope, purpose] of [
      [undefined, undefined],
      ['42', undefined],
      [undefined, 'transactional'],
    ] as const) {
      const qs = new URLSearchParams({
        include: 'suppressed',
        ...(scope ? { scope } : {}),
        ...(purpose ? { purpose } : {}),
      });
      const viaCsv = await filter(`?${qs}`, csv, 'text/csv');
      expect(viaCsv.statusCode).toBe(200);
      const csvLines = viaCsv.body.split(/\r?\n/).filter(Boolean);
      expect(csvLines.shift()).toBe('n,email,note,bouncer_status,bouncer_reason');
      const viaNdjson = ndjsonLines(
        (await filter(`?${qs}`, inputs.map((r) => JSON.stringify(r)).join('\n'))).body,
      );
      const summary = viaNdjson.pop()!.summary;
      expect(csvLines.length).toBe(inputs.length);
      csvLines.forEach((line, i) => {
        const b = viaNdjson[i]!.bouncer;
        const fields = line.split(',');
        expect([fields[3], b.status === 'invalid' ? 'invalid' : (fields[4] ?? '')]).toEqual([
          b.status,
          b.status === 'suppressed' ? b.reason : b.status === 'invalid' ? 'invalid' : '',
        ]);
      });
      expect(JSON.parse(viaCsv.trailers['bouncer-summary'] as string).summary).toEqual(summary);
      // Without annotations: the allowed rows, byte for byte as sent (the last one given a line end).
      const allowed = await filter(
        `?${new URLSearchParams({ ...(scope ? { scope } : {}), ...(purpose ? { purpose } : {}) })}`,
        csv,
        'text/csv',
      );
      const expected = rows.filter((_, i) => viaNdjson[i]!.bouncer.status === 'allowed');
      expect(allowed.body.split(/\r?\n/).filter(Boolean)).toEqual(['n,email,note', ...expected]);
    }
  });

  it('refuses bad requests before streaming: missing column, content type, parameters, credentials', async () => {
    const noColumn = await filter('', 'name,mail\nx,a@example.com\n', 'text/csv');
    expect(noColumn.statusCode).toBe(400);
    expect(noColumn.json().error.message).toBe('column: the CSV header has no column "email"');
    const json = await filter(
      '',
      JSON.stringify({ recipients: ['a@example.com'] }),
      'application/json',
    );
    expect(json.statusCode).toBe(415);
    expect(json.json().error.code).toBe('BOUNCER_ERR_UNSUPPORTED_MEDIA_TYPE');
    const xml = await filter('', '<a/>', 'application/xml');
    expect(xml.statusCode).toBe(415);
    const badPurpose = await filter('?purpose=spam', '"a@example.com"');
    expect(badPurpose.statusCode).toBe(400);
    expect(badPurpose.json().error.message).toMatch(/^querystring\.purpose/);
    const unauth = await filter('', '"a@example.com"', 'application/x-ndjson', 'wrong-key');
    expect(unauth.statusCode).toBe(401);
    expect(unauth.json()).toEqual({
      error: { code: 'BOUNCER_ERR_UNAUTHORIZED', message: 'Authentication required' },
    });
  });

  it('handles lists longer than one chunk in order', async () => {
    const n = 25_000;
    const body = Array.from({ length: n }, (_, i) =>
      i % 1000 === 0 ? '"unsub@example.com"' : `"r${i}@example.com"`,
    ).join('\n');
    const res = await filter('', body, 'application/ndjson');
    const lines = res.body.trim().split('\n');
    expect(lines.length).toBe(n - 25 + 1);
    expect(lines[0]).toBe('"r1@example.com"');
    expect(lines[lines.length - 2]).toBe(`"r${n - 1}@example.com"`);
    expect(JSON.parse(lines[lines.length - 1]!).summary).toMatchObject({
      total: n,
      suppressed: 25,
    });
  });
});
