import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, DRIP_URL_TOKEN, type TestApp } from '../helpers/app.js';

const deliverable = (email: string): string =>
  JSON.stringify({
    event: 'subscriber.marked_as_deliverable',
    data: { account_id: '1', subscriber: { id: `sub-${email}`, email }, properties: {} },
    occurred_at: new Date(Date.now() - 60_000).toISOString(),
  });

describe.each(testDialects())('who may lift a suppression, end to end, on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const rows = [
      { address: 'ses-complaint@example.com', reason: 'spam_complaint', source: 'ses' },
      { address: 'sg-hard@example.com', reason: 'hard_bounce', source: 'sendgrid' },
      { address: 'imported-spam@example.com', reason: 'spam_complaint' },
      { address: 'drip-hard@example.com', reason: 'hard_bounce', source: 'drip' },
    ];
    const imported = await t.app.inject({
      method: 'POST',
      url: '/v1/import',
      payload: rows.map((r) => JSON.stringify(r)).join('\n'),
      headers: { ...auth(), 'content-type': 'application/x-ndjson' },
    });
    expect(imported.statusCode).toBe(200);
    const manual = await t.app.inject({
      method: 'POST',
      url: '/v1/suppressions',
      payload: { address: 'operator@example.com', reason: 'hard_bounce', note: 'asked by legal' },
      headers: auth(),
    });
    expect(manual.statusCode).toBe(201);
  });
  afterAll(async () => t.close());

  const suppressed = async (email: string): Promise<boolean> =>
    (
      await t.app.inject({ method: 'GET', url: `/v1/suppressions/${email}`, headers: auth() })
    ).json().suppressed as boolean;
  const tokenEvent = (email: string) =>
    t.app.inject({
      method: 'POST',
      url: `/webhooks/drip/${DRIP_URL_TOKEN}`,
      payload: deliverable(email),
      headers: { 'content-type': 'application/json' },
    });

  it('a Drip URL-token event lifts neither another provider, an import nor an operator', async () => {
    const protectedOnes = [
      'ses-complaint@example.com',
      'sg-hard@example.com',
      'imported-spam@example.com',
      'operator@example.com',
    ];
    for (const email of protectedOnes) expect((await tokenEvent(email)).statusCode).toBe(200);
    await t.drain();
    for (const email of protectedOnes) expect(await suppressed(email)).toBe(true);
  });

  it("lifts Drip's own bounce and writes an audit entry naming the provider and the event", async () => {
    await tokenEvent('drip-hard@example.com');
    await t.drain();
    expect(await suppressed('drip-hard@example.com')).toBe(false);
    const audit = await t.app.inject({
      method: 'GET',
      url: '/v1/audit?address=drip-hard@example.com',
      headers: auth(),
    });
    expect(audit.json().items).toMatchObject([
      {
        actor: 'provider:drip',
        action: 'lift',
        address: 'drip-hard@example.com',
        note: expect.stringMatching(/^reactivated event \(delivery /),
      },
    ]);
  });
});
