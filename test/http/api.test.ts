import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';

describe.each(testDialects())('the /v1 API on %s', (dialect) => {
  let t: TestApp;
  let readKey: string;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    readKey = (await t.services.apiKeys.create('reader', 'read')).key;
  });
  afterAll(async () => t.close());

  const inject = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    payload?: unknown,
    key?: string,
  ) => t.app.inject({ method, url, payload: payload as object | undefined, headers: auth(key) });

  it('gives every authentication failure the same 401, and a 403 for a missing scope', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/v1/suppressions/a@example.com' });
    const bad = await inject('GET', '/v1/suppressions/a@example.com', undefined, 'not-a-key');
    const basicWrong = await t.app.inject({
      method: 'GET',
      url: '/v1/suppressions/a@example.com',
      headers: { authorization: 'Basic ' + Buffer.from('u:wrong').toString('base64') },
    });
    for (const r of [none, bad, basicWrong]) {
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual({
        error: { code: 'BOUNCER_ERR_UNAUTHORIZED', message: 'Authentication required' },
      });
    }
    const forbidden = await inject(
      'POST',
      '/v1/suppressions',
      { address: 'x@example.com', note: 'n' },
      readKey,
    );
    expect(forbidden.statusCode).toBe(403);
    const basicOk = await t.app.inject({
      method: 'GET',
      url: '/v1/suppressions/a@example.com',
      headers: { authorization: 'Basic ' + Buffer.from(`u:${readKey}`).toString('base64') },
    });
    expect(basicOk.statusCode).toBe(200);
  });

  it('suppresses by hand with a note, and audits it', async () => {
    const res = await inject('POST', '/v1/suppressions', {
      address: 'Manual@Example.com',
      note: 'asked by phone',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      address: 'manual@example.com',
      reason: 'manual',
      source: 'manual',
      scope: '*',
      until: null,
    });
    const audit = await inject('GET', '/v1/audit?address=manual@example.com');
    expect(audit.json().items).toMatchObject([
      {
        action: 'suppress',
        actor: 'key:BOUNCER_API_KEY',
        note: 'asked by phone',
        before: null,
        after: { reason: 'manual' },
      },
    ]);
  });

  it('answers 400 naming the field for bad input', async () => {
    const noNote = await inject('POST', '/v1/suppressions', { address: 'x@example.com' });
    expect(noNote.statusCode).toBe(400);
    expect(noNote.json().error.message).toMatch(/^body\.note: is required/);
    const badAddress = await inject('POST', '/v1/suppressions', { address: 'nope', note: 'n' });
    expect(badAddress.json()).toEqual({
      error: {
        code: 'BOUNCER_ERR_VALIDATION',
        message: 'address: missing @ (not an email address or a phone number)',
      },
    });
    const badCheck = await inject('POST', '/v1/check', { recipients: 'a@example.com' });
    expect(badCheck.statusCode).toBe(400);
    expect(badCheck.json().error.message).toMatch(/^body\.recipients/);
    const badLimit = await inject('GET', '/v1/suppressions?limit=0');
    expect(badLimit.json().error.message).toMatch(/^querystring\.limit/);
    const badCursor = await inject('GET', '/v1/suppressions?cursor=xyz');
    expect(badCursor.json().error.message).toBe('cursor: is not a cursor this API returned');
  });

  it('removes a suppression with a note, audited with before and after', async () => {
    const res = await inject('DELETE', '/v1/suppressions/manual@example.com?note=resolved');
    expect(res.statusCode).toBe(200);
    expect(res.json().removed).toMatchObject([{ address: 'manual@example.com', reason: 'manual' }]);
    const audit = await inject('GET', '/v1/audit?address=manual@example.com');
    expect(audit.json().items[0]).toMatchObject({
      action: 'unsuppress',
      note: 'resolved',
      before: { reason: 'manual' },
      after: null,
    });
    const again = await inject('DELETE', '/v1/suppressions/manual@example.com?note=again');
    expect(again.statusCode).toBe(404);
    const noNote = await inject('DELETE', '/v1/suppressions/manual@example.com');
    expect(noNote.json().error.message).toBe('note: a note saying why is required');
  });

  it('checks mixed recipients in one batch: allowed, suppressed with reason, invalid with why', async () => {
    await inject('POST', '/v1/suppressions', {
      address: 'blocked@example.com',
      reason: 'hard_bounce',
      note: 'n',
    });
    await inject('POST', '/v1/suppressions', {
      address: '+1 555 123 4567',
      reason: 'sms_opt_out',
      note: 'n',
    });
    await inject('POST', '/v1/suppressions', {
      address: 'unsub@example.com',
      reason: 'unsubscribe',
      note: 'n',
    });
    await inject('POST', '/v1/suppressions', {
      address: 'group@example.com',
      reason: 'unsubscribe',
      scope: '42',
      note: 'n',
    });
    const res = await inject('POST', '/v1/check', {
      recipients: [
        'Blocked@example.com',
        'fine@example.com',
        '+1-555-123-4567',
        'unsub@example.com',
        'group@example.com',
        'bad@',
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.allowed).toEqual(['fine@example.com', 'group@example.com']);
    expect(body.suppressed).toMatchObject([
      {
        input: 'Blocked@example.com',
        address: 'blocked@example.com',
        reason: 'hard_bounce',
        scope: '*',
        until: null,
      },
      { address: '+15551234567', reason: 'sms_opt_out' },
      { address: 'unsub@example.com', reason: 'unsubscribe' },
    ]);
    expect(body.invalid).toEqual([{ input: 'bad@', error: 'empty domain' }]);
  });

  it('honours a group scope, and a transactional check ignores unsubscribes but never bounces', async () => {
    const scoped = (
      await inject('POST', '/v1/check', { recipients: ['group@example.com'], scope: '42' })
    ).json();
    expect(scoped.suppressed).toMatchObject([{ reason: 'unsubscribe', scope: '42' }]);
    const tx = (
      await inject('POST', '/v1/check', {
        recipients: ['unsub@example.com', 'blocked@example.com'],
        purpose: 'transactional',
      })
    ).json();
    expect(tx.allowed).toEqual(['unsub@example.com']);
    expect(tx.suppressed).toMatchObject([
      { address: 'blocked@example.com', reason: 'hard_bounce' },
    ]);
  });

  it('pages through the list with a cursor and filters it', async () => {
    for (let i = 0; i < 7; i++)
      await inject('POST', '/v1/suppressions', {
        address: `page${i}@example.com`,
        reason: 'hard_bounce',
        note: 'n',
      });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await inject(
        'GET',
        `/v1/suppressions?reason=hard_bounce&q=page&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      const page = res.json();
      seen.push(...page.items.map((i: { address: string }) => i.address));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    const sms = (await inject('GET', '/v1/suppressions?channel=sms')).json();
    expect(sms.items.map((i: { address: string }) => i.address)).toEqual(['+15551234567']);
  });

  it('answers health and readiness, and serves the OpenAPI document', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({
      status: 'ok',
    });
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
      status: 'ready',
    });
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/check', '/v1/suppressions/{address}', '/webhooks/bounce']),
    );
    expect((await t.app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
  });
});
