import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, FixedClock, type TestApp } from '../helpers/app.js';
import { testDialects } from '../helpers/dialects.js';
import { suppressionOf } from '../helpers/provider-http.js';
import { smsFixture } from '../helpers/sms-signers.js';

const lastLine = (body: string) =>
  JSON.parse(body.trim().split('\n').pop() ?? '{}') as { summary: Record<string, unknown> };

describe.each(testDialects())('importing AWS SMS opt-out lists on %s', (dialect) => {
  let t: TestApp;
  const post = (body: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/import',
      payload: body,
      headers: { ...auth(), 'content-type': 'application/x-ndjson' },
    });
  const check = async (numbers: string[]) =>
    (
      await t.app.inject({
        method: 'POST',
        url: '/v1/check',
        headers: auth(),
        payload: { recipients: numbers },
      })
    ).json<{ allowed: string[] }>();
  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock: new FixedClock(Date.UTC(2026, 0, 5)) });
  });
  afterAll(async () => t.close());

  it('detects the SNS ListPhoneNumbersOptedOut output and makes /v1/check refuse its numbers', async () => {
    const res = await post(smsFixture('aws-sms', 'sns-list-phone-numbers-opted-out.json'));
    expect(res.statusCode).toBe(200);
    expect(lastLine(res.body).summary).toMatchObject({
      total: 2,
      imported: 2,
      invalid: 0,
      kind: 'sns_opted_out',
    });
    expect(await suppressionOf(t, '+447700900123')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'sms_opt_out', source: 'sns' }],
    });
    expect(await check(['+15555550100', '+15555550199'])).toMatchObject({
      allowed: ['+15555550199'],
    });
  });

  it("detects DescribeOptedOutNumbers output, keeping each number's opt-out time", async () => {
    const res = await post(smsFixture('aws-sms', 'describe-opted-out-numbers.json'));
    expect(lastLine(res.body).summary).toMatchObject({ imported: 2, kind: 'aws_sms_opted_out' });
    expect(await suppressionOf(t, '+14255550170')).toMatchObject({
      entries: [{ source: 'aws-sms', since: '2023-06-17T04:11:43.123Z' }],
    });
    expect(await check(['+14255550171'])).toMatchObject({ allowed: [] });
  });

  it('reports a broken document as one invalid line', async () => {
    const res = await post('{"phoneNumbers": ["+15555550100",');
    const body = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(body[0]).toMatchObject({
      status: 'invalid',
      error: expect.stringContaining('AWS opt-out list: not a JSON document'),
    });
  });
});
