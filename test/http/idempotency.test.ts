import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/dialects.js';
import { auth, buildTestApp, type TestApp } from '../helpers/app.js';

describe.each(testDialects())('Idempotency-Key on POST /webhooks/bounce on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  const post = (body: unknown, key: string) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/bounce',
      payload: JSON.stringify(body),
      headers: { ...auth(), 'content-type': 'application/json', 'idempotency-key': key },
    });

  it('accepts a retry with the same body', async () => {
    const body = { email: 'retry@example.com', type: 'hard', source: 'api' };
    expect((await post(body, 'k-1')).statusCode).toBe(202);
    expect((await post(body, 'k-1')).statusCode).toBe(202);
  });

  it('answers 409 when the key comes back with a different body, instead of dropping the event', async () => {
    expect(
      (await post({ email: 'first@example.com', type: 'hard', source: 'api' }, 'k-2')).statusCode,
    ).toBe(202);
    const reused = await post({ email: 'second@example.com', type: 'hard', source: 'api' }, 'k-2');
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error.code).toBe('BOUNCER_ERR_CONFLICT');
  });
});
