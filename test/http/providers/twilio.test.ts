import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TWIML_EMPTY_RESPONSE } from '../../../src/providers/twilio/twilio.adapter.js';
import { buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import {
  countEvents,
  eventsFor,
  expectUnauthorized,
  suppressionOf,
  suppressionRows,
} from '../../helpers/provider-http.js';
import {
  formBody,
  inboundParams,
  signedTwilioJsonRequest,
  statusParams,
  TWILIO_SPEC_SAMPLES,
  TWILIO_TEST_PUBLIC_URL,
  TWILIO_TEST_RECEIVED_AT,
  TWILIO_TEST_TOKEN,
  type FormParams,
} from '../../helpers/twilio-signer.js';

const ENV = {
  BOUNCER_TWILIO_AUTH_TOKEN: TWILIO_TEST_TOKEN,
  BOUNCER_PUBLIC_URL: TWILIO_TEST_PUBLIC_URL,
};
const FORM = 'application/x-www-form-urlencoded';
const DAY_MS = 86_400_000;

/** Sends `params` to `path` the way Twilio does: form body, signature by the official SDK over the public URL. */
function send(
  t: TestApp,
  path: string,
  params: FormParams,
  opts: { token?: string; signedUrl?: string; host?: string } = {},
) {
  const signature = twilio.getExpectedTwilioSignature(
    opts.token ?? TWILIO_TEST_TOKEN,
    opts.signedUrl ?? TWILIO_TEST_PUBLIC_URL + path,
    params,
  );
  return t.app.inject({
    method: 'POST',
    url: path,
    payload: formBody(params),
    headers: {
      'content-type': FORM,
      'x-twilio-signature': signature,
      host: opts.host ?? 'hooks.example.com',
    },
  });
}

function sendSample(t: TestApp, name: 'status' | 'inboundStop') {
  const { path, body, signature } = TWILIO_SPEC_SAMPLES[name];
  return t.app.inject({
    method: 'POST',
    url: path,
    payload: body,
    headers: { 'content-type': FORM, 'x-twilio-signature': signature, host: 'hooks.example.com' },
  });
}

const status = (to: string, sid: string, fields: FormParams) =>
  statusParams({ To: to, MessageSid: sid, SmsSid: sid, ...fields });

describe.each(testDialects())('POST /webhooks/twilio/* on %s', (dialect) => {
  const clock = new FixedClock(TWILIO_TEST_RECEIVED_AT);
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock, env: ENV });
  });
  afterAll(async () => t.close());

  it('turns the §2.12 inbound STOP sample into an SMS opt-out, answering empty TwiML', async () => {
    const res = await sendSample(t, 'inboundStop');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.body).toBe(TWIML_EMPTY_RESPONSE);
    await t.drain();
    expect(await eventsFor(t, '+15558675310')).toMatchObject([
      {
        provider: 'twilio',
        type: 'sms_opt_out',
        channel: 'sms',
        reason: 'sms_opt_out',
        details: { keyword: 'STOP', optOutType: 'STOP' },
      },
    ]);
    expect(await suppressionOf(t, '+15558675310')).toMatchObject({
      suppressed: true,
      entries: [{ scope: '*', reason: 'sms_opt_out', source: 'twilio', until: null }],
    });
  });

  it('lifts the opt-out when the same number texts START (signature from the SDK)', async () => {
    clock.advance(60_000);
    const res = await send(
      t,
      '/webhooks/twilio/inbound',
      inboundParams({
        Body: 'START',
        MessageSid: 'SMstart0000000000000000000000000',
        SmsMessageSid: 'SMstart0000000000000000000000000',
        SmsSid: 'SMstart0000000000000000000000000',
      }),
    );
    expect(res.body).toBe(TWIML_EMPTY_RESPONSE);
    await t.drain();
    expect(await suppressionOf(t, '+15558675310')).toMatchObject({
      suppressed: false,
      entries: [],
    });
    expect((await eventsFor(t, '+15558675310')).map((e) => e.type)).toEqual([
      'sms_opt_out',
      'sms_opt_in',
    ]);
  });

  it('turns the §2.12 status sample (undelivered, 30005) into a permanent invalid_number', async () => {
    clock.advance(60_000);
    const res = await sendSample(t, 'status');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    await t.drain();
    const events = await eventsFor(t, '+15558675310');
    expect(events[events.length - 1]).toMatchObject({
      type: 'sms_failure',
      reason: 'invalid_number',
      severity: 'hard',
      error_code: '30005',
      details: { status: 'undelivered', rawDlrDoneDate: '2403121530' },
    });
    expect(await suppressionOf(t, '+15558675310')).toMatchObject({
      suppressed: true,
      entries: [{ reason: 'invalid_number', until: null }],
    });
  });

  it('maps each default error-code class through HTTP', async () => {
    const cases: Array<[string, string, string | null, string | null]> = [
      // number, ErrorCode, suppression reason, severity
      ['+14155550101', '21211', 'invalid_number', 'hard'],
      ['+14155550102', '30006', 'carrier_rejection', 'hard'],
      ['+14155550103', '21610', 'sms_opt_out', 'hard'],
      ['+14155550104', '30004', 'sms_opt_out', 'hard'],
      ['+14155550105', '30003', 'sms_failure', 'soft'],
      ['+14155550106', '30007', null, null],
      ['+14155550107', '30034', null, null],
      ['+14155550108', '39999', null, null],
    ];
    for (const [to, code] of cases) {
      const res = await send(
        t,
        '/webhooks/twilio/status',
        status(to, `SMclass${code}`, {
          ErrorCode: code,
          MessageStatus: 'failed',
          SmsStatus: 'failed',
        }),
      );
      expect(res.statusCode).toBe(200);
    }
    await send(
      t,
      '/webhooks/twilio/status',
      status('+14155550109', 'SMclassnocode', { MessageStatus: 'undelivered' }),
    );
    await t.drain();
    for (const [to, code, reason, severity] of cases) {
      expect((await eventsFor(t, to))[0], code).toMatchObject({
        type: 'sms_failure',
        error_code: code,
        reason,
        severity,
      });
      const rows = await suppressionRows(t, to);
      expect(
        rows.map((r) => [r.reason, r.expires_at === null]),
        code,
      ).toEqual(reason === null ? [] : [[reason, reason !== 'sms_failure']]);
    }
    expect(await eventsFor(t, '+14155550109')).toMatchObject([
      { type: 'sms_failure', error_code: null, reason: null },
    ]);
    expect(await suppressionRows(t, '+14155550109')).toEqual([]);
  });

  it('resets the soft count after a 30003 when a later message is delivered', async () => {
    const to = '+14155550120';
    await send(t, '/webhooks/twilio/status', status(to, 'SMsoft1', { ErrorCode: '30003' }));
    await t.drain();
    expect(await suppressionRows(t, to)).toMatchObject([
      { reason: 'sms_failure', soft_count: 1, expires_at: clock.now() + 7 * DAY_MS },
    ]);
    expect((await suppressionOf(t, to)).suppressed).toBe(true);
    clock.advance(3_600_000);
    await send(
      t,
      '/webhooks/twilio/status',
      status(to, 'SMsoft2', { MessageStatus: 'delivered', SmsStatus: 'delivered' }),
    );
    await t.drain();
    expect(await suppressionRows(t, to)).toMatchObject([{ reason: 'sms_failure', soft_count: 0 }]);
    expect((await suppressionOf(t, to)).suppressed).toBe(false);
  });

  it('stores the same MessageSid and status twice as one event', async () => {
    const to = '+14155550130';
    const params = status(to, 'SMdup', { ErrorCode: '21211' });
    expect((await send(t, '/webhooks/twilio/status', params)).statusCode).toBe(200);
    expect((await send(t, '/webhooks/twilio/status', params)).statusCode).toBe(200);
    await t.drain();
    expect(await countEvents(t, 'twilio', to)).toBe(1);
  });

  it('verifies against BOUNCER_PUBLIC_URL + path + query whatever Host the request arrived with', async () => {
    const to = '+14155550140';
    const path = '/webhooks/twilio/status?tenant=acme&x=1';
    expect(
      (await send(t, path, status(to, 'SMhost', { ErrorCode: '21211' }), { host: '10.0.0.7:8080' }))
        .statusCode,
    ).toBe(200);
    // Signed over the URL Bouncer saw behind the proxy, not the public one: refused.
    expectUnauthorized(
      await send(t, path, status(to, 'SMhost2', { ErrorCode: '21211' }), {
        signedUrl: `http://10.0.0.7:8080${path}`,
        host: '10.0.0.7:8080',
      }),
    );
    // The query is signed too.
    expectUnauthorized(
      await send(t, path, status(to, 'SMhost3', {}), {
        signedUrl: `${TWILIO_TEST_PUBLIC_URL}/webhooks/twilio/status?tenant=other&x=1`,
      }),
    );
  });

  it('refuses a wrong token, a tampered field and a missing signature with the same 401', async () => {
    const params = status('+14155550150', 'SMbad', { ErrorCode: '21211' });
    expectUnauthorized(
      await send(t, '/webhooks/twilio/status', params, {
        token: 'another_auth_token_0123456789abc',
      }),
    );
    const signature = twilio.getExpectedTwilioSignature(
      TWILIO_TEST_TOKEN,
      `${TWILIO_TEST_PUBLIC_URL}/webhooks/twilio/status`,
      params,
    );
    const tampered = formBody({ ...params, To: '+14155550151' });
    expectUnauthorized(
      await t.app.inject({
        method: 'POST',
        url: '/webhooks/twilio/status',
        payload: tampered,
        headers: { 'content-type': FORM, 'x-twilio-signature': signature },
      }),
    );
    expectUnauthorized(
      await t.app.inject({
        method: 'POST',
        url: '/webhooks/twilio/status',
        payload: formBody(params),
        headers: { 'content-type': FORM },
      }),
    );
    await t.drain();
    expect(await eventsFor(t, '+14155550150')).toEqual([]);
    expect(await eventsFor(t, '+14155550151')).toEqual([]);
  });

  it('ignores non-terminal statuses, other channels, plain inbound texts and JSON-body requests', async () => {
    const answers = [
      await send(
        t,
        '/webhooks/twilio/status',
        status('+14155550160', 'SMsent', { MessageStatus: 'sent', SmsStatus: 'sent' }),
      ),
      await send(
        t,
        '/webhooks/twilio/status',
        status('whatsapp:+14155550161', 'SMwa', { ErrorCode: '63014' }),
      ),
      await send(
        t,
        '/webhooks/twilio/inbound',
        inboundParams({ Body: 'Stop please', From: '+14155550162' }),
      ),
    ];
    const json = signedTwilioJsonRequest('{"messageSid":"SMjson","messageStatus":"DELIVERED"}', {
      path: '/webhooks/twilio/status',
    });
    answers.push(
      await t.app.inject({
        method: 'POST',
        url: json.url,
        payload: json.rawBody,
        headers: {
          'content-type': 'application/json',
          'x-twilio-signature': json.headers['x-twilio-signature'] ?? '',
        },
      }),
    );
    for (const res of answers)
      expect([res.statusCode, res.body]).toEqual([200, TWIML_EMPTY_RESPONSE]);
    await t.drain();
    for (const a of ['+14155550160', '+14155550161', '+14155550162'])
      expect(await eventsFor(t, a)).toEqual([]);
  });
});

describe.each(testDialects())('Twilio webhook settings on %s', (dialect) => {
  const clock = new FixedClock(TWILIO_TEST_RECEIVED_AT);

  it('applies BOUNCER_TWILIO_ERROR_CODES overrides: 30003 becomes a permanent invalid_number', async () => {
    const t = await buildTestApp(dialect, {
      clock,
      env: { ...ENV, BOUNCER_TWILIO_ERROR_CODES: '{"30003":"invalid_number"}' },
    });
    try {
      await send(
        t,
        '/webhooks/twilio/status',
        status('+14155550170', 'SMoverride', { ErrorCode: '30003' }),
      );
      await t.drain();
      expect(await eventsFor(t, '+14155550170')).toMatchObject([
        { reason: 'invalid_number', severity: 'hard' },
      ]);
      expect(await suppressionOf(t, '+14155550170')).toMatchObject({
        suppressed: true,
        entries: [{ reason: 'invalid_number', until: null }],
      });
    } finally {
      await t.close();
    }
  });

  it('verifies behind a path-prefix proxy and with Basic credentials in BOUNCER_PUBLIC_URL', async () => {
    for (const publicUrl of [
      'https://hooks.example.com/bouncer/',
      'https://twilio:s3cret@hooks.example.com',
    ]) {
      const t = await buildTestApp(dialect, {
        clock,
        env: { ...ENV, BOUNCER_PUBLIC_URL: publicUrl },
      });
      try {
        const path = '/webhooks/twilio/status';
        const params = status('+14155550180', 'SMprefix', { ErrorCode: '21211' });
        expect(
          (await send(t, path, params, { signedUrl: publicUrl.replace(/\/$/, '') + path }))
            .statusCode,
          publicUrl,
        ).toBe(200);
        expectUnauthorized(
          await send(t, path, params, { signedUrl: TWILIO_TEST_PUBLIC_URL + path }),
        );
      } finally {
        await t.close();
      }
    }
  });

  it('refuses every request with the uniform 401 when no Auth Token is configured', async () => {
    const t = await buildTestApp(dialect, { clock });
    try {
      expectUnauthorized(await sendSample(t, 'status'));
      expectUnauthorized(await sendSample(t, 'inboundStop'));
    } finally {
      await t.close();
    }
  });
});
