import { afterAll, beforeAll, describe, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import { expectUnauthorized } from '../../helpers/provider-http.js';

/** Each provider keeps its routes without settings, refusing everything with the uniform 401. */
const ROUTES: Array<['GET' | 'POST', string]> = [
  ['POST', '/webhooks/mailersend'],
  ['POST', '/webhooks/mailersend/acme'],
  ['POST', '/webhooks/postal'],
  ['POST', '/webhooks/mailtrap'],
  ['POST', '/webhooks/mailtrap/acme'],
  ['POST', '/webhooks/unisender-go'],
  ['GET', '/webhooks/unisender-go'],
  ['POST', '/webhooks/smtp2go'],
  ['POST', '/webhooks/smtp2go/some-token-0123456789abcdef'],
  ['GET', '/webhooks/elastic-email/some-token-0123456789abcdef?status=Sent&to=a%40b.example'],
  ['POST', '/webhooks/ses/eventbridge'],
];

describe.each(testDialects())('email providers without settings on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  it('answer every route with the uniform 401', async () => {
    for (const [method, url] of ROUTES) {
      const res = await t.app.inject({
        method,
        url,
        ...(method === 'POST'
          ? { payload: '{"type":"activity.sent"}', headers: { 'content-type': 'application/json' } }
          : {}),
      });
      expectUnauthorized(res);
    }
  });
});
