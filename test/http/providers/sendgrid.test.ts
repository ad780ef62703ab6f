import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, FixedClock, type TestApp } from '../../helpers/app.js';
import { testDialects } from '../../helpers/dialects.js';
import {
  countEvents,
  deliveryOf,
  eventsFor,
  expectUnauthorized,
  suppressionOf,
  suppressionRows,
} from '../../helpers/provider-http.js';
import {
  makeSendgridKeys,
  sendgridBody,
  signSendgrid,
  SENDGRID_SIGNATURE_HEADER,
  SENDGRID_TIMESTAMP_HEADER,
  type SendgridKeys,
} from '../../helpers/sendgrid-signer.js';

const fixture = (name: string): unknown =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/providers/sendgrid/${name}`, import.meta.url), 'utf8'),
  );
interface Vector {
  publicKey: string;
  signature: string;
  timestamp: string;
  events: unknown[];
}
const VECTORS = fixture('official-vectors.json') as {
  single: Vector;
  multiple: Vector;
  negative: { otherPublicKey: string };
};
const SAMPLE_B = fixture('sample-b-documented.json') as unknown[];
const SAMPLE_C = fixture('sample-c-no-status.json') as unknown[];
const DAY_MS = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

const pick = (e: {
  type: string;
  scope: string;
  reason: string | null;
  severity: string | null;
  fine_reason: string | null;
}) => ({
  type: e.type,
  scope: e.scope,
  reason: e.reason,
  severity: e.severity,
  fine_reason: e.fine_reason,
});

describe.each(testDialects())('POST /webhooks/sendgrid on %s', (dialect) => {
  const keys: SendgridKeys = makeSendgridKeys();
  const clock = new FixedClock(T0);
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      clock,
      env: {
        // These cases check what each drop maps to: with drops suppressing (not the default).
        BOUNCER_DROPPED_SUPPRESSES: 'true',
        BOUNCER_SENDGRID_PUBLIC_KEY: [
          keys.verificationKey,
          VECTORS.single.publicKey,
          VECTORS.multiple.publicKey,
        ].join(','),
      },
    });
  });
  afterAll(async () => t.close());

  const postRaw = (body: string | Buffer, headers: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: '/webhooks/sendgrid',
      payload: body,
      headers: { 'content-type': 'application/json', ...headers },
    });
  /** Signed by the test key at the clock's current time, as SendGrid signs (§1.2). */
  const post = (events: unknown[], signWith: SendgridKeys = keys) => {
    const body = sendgridBody(events);
    const timestamp = String(Math.floor(clock.now() / 1000));
    return postRaw(body, {
      [SENDGRID_SIGNATURE_HEADER]: signSendgrid(signWith, timestamp, body),
      [SENDGRID_TIMESTAMP_HEADER]: timestamp,
    });
  };
  const event = (fields: Record<string, unknown>) => ({
    timestamp: Math.floor(clock.now() / 1000) - 60,
    'smtp-id': '<m1@ismtpd-1>',
    sg_message_id: 'm1.filter0001',
    ...fields,
  });

  it('verifies the official multi-event vector (sample A, CRLF separators) and stores the over-quota bounce as soft', async () => {
    const { multiple } = VECTORS;
    clock.set(Number(multiple.timestamp) * 1000);
    const body = sendgridBody(multiple.events);
    expect(body).toContain('},\r\n{');
    const res = await postRaw(body, {
      [SENDGRID_SIGNATURE_HEADER]: multiple.signature,
      [SENDGRID_TIMESTAMP_HEADER]: multiple.timestamp,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 2 });
    await t.drain();
    const events = await eventsFor(t, 'invalid@gmail.com');
    expect(events.map(pick)).toEqual([
      { type: 'processed', scope: '*', reason: null, severity: null, fine_reason: null },
      {
        type: 'bounce',
        scope: '*',
        reason: 'soft_bounce',
        severity: 'soft',
        fine_reason: 'mailboxfull',
      },
    ]);
    expect(await suppressionRows(t, 'invalid@gmail.com')).toEqual([
      {
        scope: '*',
        reason: 'soft_bounce',
        source: 'sendgrid',
        expires_at: 1_619_651_147_000 + 7 * DAY_MS,
        soft_count: 1,
      },
    ]);
    expect((await suppressionOf(t, 'invalid@gmail.com')).suppressed).toBe(true);
  });

  it('verifies the official single-event vector through HTTP only with its trailing CRLF kept', async () => {
    const { single } = VECTORS;
    clock.set(Number(single.timestamp) * 1000);
    const headers = {
      [SENDGRID_SIGNATURE_HEADER]: single.signature,
      [SENDGRID_TIMESTAMP_HEADER]: single.timestamp,
    };
    const exact = Buffer.from(JSON.stringify(single.events) + '\r\n', 'utf8');
    expectUnauthorized(await postRaw(exact.subarray(0, exact.length - 2), headers));
    const res = await postRaw(exact, headers);
    expect(res.statusCode).toBe(200);
    await t.drain();
    const [dropped] = await eventsFor(t, 'hello@world.com');
    expect(dropped).toMatchObject({
      type: 'dropped',
      reason: 'hard_bounce',
      severity: 'hard',
      fine_reason: 'suppressed',
      provider: 'sendgrid',
    });
    expect(await suppressionOf(t, 'hello@world.com')).toMatchObject({
      suppressed: true,
      entries: [{ scope: '*', reason: 'hard_bounce', source: 'sendgrid', until: null }],
    });
  });

  it('maps the documented sample B: hard bounce, dropped, complaint, unsubscribes, deferral; skips the account event', async () => {
    clock.set(1_513_299_600_000);
    const res = await post(SAMPLE_B);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 6 });
    await t.drain();
    // All six share one timestamp: compared as a set.
    const byKind = (e: { type: string; scope: string }) => `${e.type}:${e.scope}`;
    const events = (await eventsFor(t, 'example@test.com'))
      .map(pick)
      .sort((a, b) => byKind(a).localeCompare(byKind(b)));
    expect(events).toEqual([
      {
        type: 'bounce',
        scope: '*',
        reason: 'hard_bounce',
        severity: 'hard',
        fine_reason: 'userunknown',
      },
      {
        type: 'complaint',
        scope: '*',
        reason: 'spam_complaint',
        severity: null,
        fine_reason: null,
      },
      { type: 'deferred', scope: '*', reason: null, severity: null, fine_reason: null },
      {
        type: 'dropped',
        scope: '*',
        reason: 'hard_bounce',
        severity: 'hard',
        fine_reason: 'suppressed',
      },
      { type: 'unsubscribe', scope: '*', reason: 'unsubscribe', severity: null, fine_reason: null },
      {
        type: 'unsubscribe',
        scope: '10',
        reason: 'unsubscribe',
        severity: null,
        fine_reason: null,
      },
    ]);
    // The complaint outranks the bounce and the unsubscribe on the global row; group 10 has its own.
    expect(
      (await suppressionRows(t, 'example@test.com')).map((r) => [r.scope, r.reason, r.expires_at]),
    ).toEqual([
      ['*', 'spam_complaint', null],
      ['10', 'unsubscribe', null],
    ]);
  });

  it('keeps sample C (bounce without status) as an event without suppressing, as the shared classifier decides', async () => {
    clock.set(1_740_300_400_000);
    await post(SAMPLE_C);
    await t.drain();
    const [bounce] = await eventsFor(t, 'noemail@this.does.not.exist.tld');
    expect(bounce).toMatchObject({
      type: 'bounce',
      severity: 'soft',
      reason: null,
      fine_reason: 'requireptr',
    });
    expect(await suppressionRows(t, 'noemail@this.does.not.exist.tld')).toEqual([]);
  });

  it('maps each dropped reason: suppressed lists and invalid addresses suppress, sender-side drops do not', async () => {
    clock.set(T0);
    await post([
      event({
        email: 'd-bounced@example.com',
        event: 'dropped',
        reason: 'Bounced Address',
        sg_event_id: 'drop-1',
      }),
      event({
        email: 'd-unsub@example.com',
        event: 'dropped',
        reason: 'Unsubscribed Address',
        sg_event_id: 'drop-2',
      }),
      event({
        email: 'd-unsub-group@example.com',
        event: 'dropped',
        reason: 'Unsubscribed Address',
        asm_group_id: 7,
        sg_event_id: 'drop-3',
      }),
      event({
        email: 'd-spam@example.com',
        event: 'dropped',
        reason: 'Spam Reporting Address',
        sg_event_id: 'drop-4',
      }),
      event({
        email: 'd-invalid@example.com',
        event: 'dropped',
        reason: 'Invalid',
        sg_event_id: 'drop-5',
      }),
      event({
        email: 'd-content@example.com',
        event: 'dropped',
        reason: 'Spam Content (if Spam Checker app is enabled)',
        sg_event_id: 'drop-6',
      }),
      event({
        email: 'd-quota@example.com',
        event: 'dropped',
        reason: 'Recipient List over Package Quota',
        sg_event_id: 'drop-7',
      }),
    ]);
    await t.drain();
    const rows = async (a: string) =>
      (await suppressionRows(t, a)).map((r) => `${r.scope}:${r.reason}`);
    expect(await rows('d-bounced@example.com')).toEqual(['*:hard_bounce']);
    expect(await rows('d-unsub@example.com')).toEqual(['*:unsubscribe']);
    expect(await rows('d-unsub-group@example.com')).toEqual(['7:unsubscribe']);
    expect(await rows('d-spam@example.com')).toEqual(['*:spam_complaint']);
    expect(await rows('d-invalid@example.com')).toEqual(['*:hard_bounce']);
    expect(await rows('d-content@example.com')).toEqual([]);
    expect(await rows('d-quota@example.com')).toEqual([]);
    expect((await eventsFor(t, 'd-content@example.com'))[0]).toMatchObject({
      type: 'dropped',
      reason: null,
    });
  });

  it('maps spamreport, unsubscribe and bounce types, and lifts only the resubscribed group', async () => {
    clock.set(T0);
    await post([
      event({ email: 'spam@example.com', event: 'spamreport', sg_event_id: 'sp-1' }),
      event({ email: 'unsub@example.com', event: 'unsubscribe', sg_event_id: 'un-1' }),
      event({
        email: 'groups@example.com',
        event: 'group_unsubscribe',
        asm_group_id: 10,
        sg_event_id: 'gu-10',
      }),
      event({
        email: 'groups@example.com',
        event: 'group_unsubscribe',
        asm_group_id: 20,
        sg_event_id: 'gu-20',
      }),
      event({
        email: 'hard@example.com',
        event: 'bounce',
        type: 'bounce',
        status: '5.1.1',
        reason: '550 5.1.1 no such user',
        sg_event_id: 'b-1',
      }),
      event({
        email: 'expired@example.com',
        event: 'bounce',
        type: 'expired',
        reason: 'Message expired after 72 hours',
        sg_event_id: 'b-2',
      }),
      event({
        email: 'reputation@example.com',
        event: 'bounce',
        type: 'blocked',
        reason: '550 5.7.1 client host blocked using Spamhaus',
        bounce_classification: 'Reputation',
        sg_event_id: 'b-3',
      }),
    ]);
    await t.drain();
    clock.advance(60_000);
    await post([
      event({
        email: 'groups@example.com',
        event: 'group_resubscribe',
        asm_group_id: 10,
        sg_event_id: 'gr-10',
        timestamp: Math.floor(clock.now() / 1000),
      }),
    ]);
    await t.drain();
    expect((await suppressionOf(t, 'spam@example.com')).entries).toMatchObject([
      { scope: '*', reason: 'spam_complaint' },
    ]);
    expect((await suppressionOf(t, 'unsub@example.com')).entries).toMatchObject([
      { scope: '*', reason: 'unsubscribe' },
    ]);
    expect(
      (await suppressionRows(t, 'groups@example.com')).map((r) => `${r.scope}:${r.reason}`),
    ).toEqual(['20:unsubscribe']);
    expect(await suppressionOf(t, 'groups@example.com', '20')).toMatchObject({ suppressed: true });
    expect(await suppressionOf(t, 'groups@example.com', '10')).toMatchObject({ suppressed: false });
    expect(
      (await eventsFor(t, 'groups@example.com')).map((e) => `${e.type}:${e.scope}`).sort(),
    ).toEqual(['resubscribe:10', 'unsubscribe:10', 'unsubscribe:20']);
    expect((await suppressionRows(t, 'hard@example.com'))[0]).toMatchObject({
      reason: 'hard_bounce',
      expires_at: null,
    });
    expect((await eventsFor(t, 'expired@example.com'))[0]).toMatchObject({
      reason: 'soft_bounce',
      fine_reason: 'expired',
    });
    expect((await suppressionRows(t, 'expired@example.com'))[0]).toMatchObject({
      reason: 'soft_bounce',
      soft_count: 1,
    });
    // A sender-side bucket (reputation) is recorded but never held against the recipient.
    expect((await eventsFor(t, 'reputation@example.com'))[0]).toMatchObject({
      type: 'bounce',
      reason: null,
      fine_reason: 'blocked',
    });
    expect(await suppressionRows(t, 'reputation@example.com')).toEqual([]);
  });

  it('records processed, deferred, open and click without suppressing, and a delivery resets the soft count', async () => {
    clock.set(T0);
    await post([
      event({ email: 'info@example.com', event: 'processed', sg_event_id: 'i-1' }),
      event({
        email: 'info@example.com',
        event: 'deferred',
        response: '451 4.3.0 try later',
        attempt: '2',
        sg_event_id: 'i-2',
      }),
      event({
        email: 'info@example.com',
        event: 'open',
        useragent: 'Mozilla/5.0',
        sg_event_id: 'i-3',
      }),
      event({
        email: 'info@example.com',
        event: 'click',
        url: 'https://example.com/x',
        sg_event_id: 'i-4',
      }),
      event({
        email: 'soft@example.com',
        event: 'bounce',
        type: 'blocked',
        status: '4.2.2',
        reason: '452 4.2.2 mailbox full',
        sg_event_id: 's-1',
      }),
    ]);
    await t.drain();
    expect((await eventsFor(t, 'info@example.com')).map((e) => e.type).sort()).toEqual([
      'click',
      'deferred',
      'open',
      'processed',
    ]);
    expect(await suppressionRows(t, 'info@example.com')).toEqual([]);
    expect(await suppressionOf(t, 'soft@example.com')).toMatchObject({ suppressed: true });
    clock.advance(3_600_000);
    await post([
      event({
        email: 'soft@example.com',
        event: 'delivered',
        response: '250 OK',
        sg_event_id: 's-2',
        timestamp: Math.floor(clock.now() / 1000),
      }),
    ]);
    await t.drain();
    expect((await suppressionRows(t, 'soft@example.com'))[0]).toMatchObject({
      reason: 'soft_bounce',
      soft_count: 0,
    });
    expect(await suppressionOf(t, 'soft@example.com')).toMatchObject({ suppressed: false });
  });

  it('stores a batch sent twice (same sg_event_id) as one event', async () => {
    clock.set(T0);
    const batch = [
      event({
        email: 'twice@example.com',
        event: 'bounce',
        type: 'bounce',
        status: '5.1.1',
        reason: '550 5.1.1 unknown user',
        sg_event_id: 'dup-1',
      }),
    ];
    const first = await post(batch);
    const second = await post(batch);
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(first.json().delivery_id).not.toBe(second.json().delivery_id);
    await t.drain();
    expect(await countEvents(t, 'sendgrid', 'twice@example.com')).toBe(1);
    expect(await suppressionRows(t, 'twice@example.com')).toHaveLength(1);
  });

  it('keeps the good events of a batch with one bad event and records the rejected item', async () => {
    clock.set(T0);
    const res = await post([
      event({ email: 'good-1@example.com', event: 'unsubscribe', sg_event_id: 'mix-1' }),
      event({ email: 'not an address', event: 'unsubscribe', sg_event_id: 'mix-2' }),
      event({ email: 'good-2@example.com', event: 'unsubscribe', sg_event_id: 'mix-3' }),
    ]);
    expect(res.json()).toMatchObject({ status: 'accepted', events: 2 });
    await t.drain();
    expect((await suppressionOf(t, 'good-1@example.com')).suppressed).toBe(true);
    expect((await suppressionOf(t, 'good-2@example.com')).suppressed).toBe(true);
    const delivery = await deliveryOf(t, res.json().delivery_id as string);
    expect(delivery.status).toBe('done');
    expect(delivery.outcome).toMatch(/^2 event\(s\); 1 item\(s\) rejected: #1 invalid email/);
  });

  it('records the item error of a batch whose only event is refused (a space in its domain), and again on replay', async () => {
    clock.set(T0);
    const res = await post([
      event({
        email: 'invalid@in valid',
        event: 'bounce',
        type: 'bounce',
        sg_event_id: 'only-bad',
      }),
    ]);
    expect(res.statusCode).toBe(200);
    const id = res.json().delivery_id as string;
    await t.drain();
    const stored = await deliveryOf(t, id);
    expect(stored.status).toBe('ignored');
    expect(stored.outcome).toMatch(/^0 event\(s\); 1 item\(s\) rejected: #0 invalid email/);
    const replay = await t.app.inject({
      method: 'POST',
      url: `/v1/deliveries/${id}/replay`,
      headers: auth(),
    });
    expect(replay.statusCode, replay.body).toBeLessThan(300);
    await t.drain();
    expect((await deliveryOf(t, id)).outcome).toMatch(/^0 event\(s\); 1 item\(s\) rejected: #0/);
  });

  it('rejects only the event whose timestamp no date can hold, on PostgreSQL too', async () => {
    clock.set(T0);
    const res = await post([
      event({ email: 'time-ok@example.com', event: 'unsubscribe', sg_event_id: 'time-1' }),
      event({
        email: 'time-bad@example.com',
        event: 'unsubscribe',
        sg_event_id: 'time-2',
        timestamp: 1e20,
      }),
    ]);
    expect(res.statusCode).toBe(200);
    await t.drain();
    expect((await suppressionOf(t, 'time-ok@example.com')).suppressed).toBe(true);
    expect(await eventsFor(t, 'time-bad@example.com')).toEqual([]);
    expect(await deliveryOf(t, res.json().delivery_id as string)).toMatchObject({
      status: 'done',
      outcome: '1 event(s); 1 item(s) rejected: #1 missing or invalid timestamp',
    });
  });

  it('answers the same 401 for a wrong key, a tampered body, a foreign vector key and missing headers', async () => {
    clock.set(T0);
    const batch = [
      event({ email: 'attacker@example.com', event: 'unsubscribe', sg_event_id: 'x-1' }),
    ];
    const body = sendgridBody(batch);
    const timestamp = String(Math.floor(clock.now() / 1000));
    const signature = signSendgrid(keys, timestamp, body);
    expectUnauthorized(await post(batch, makeSendgridKeys()));
    expectUnauthorized(
      await postRaw(body.replace('attacker@', 'victim@'), {
        [SENDGRID_SIGNATURE_HEADER]: signature,
        [SENDGRID_TIMESTAMP_HEADER]: timestamp,
      }),
    );
    expectUnauthorized(
      await postRaw(body, {
        [SENDGRID_SIGNATURE_HEADER]: signature,
        [SENDGRID_TIMESTAMP_HEADER]: String(Number(timestamp) + 1),
      }),
    );
    expectUnauthorized(await postRaw(body, { [SENDGRID_TIMESTAMP_HEADER]: timestamp }));
    expectUnauthorized(await postRaw(body, { [SENDGRID_SIGNATURE_HEADER]: signature }));
    await t.drain();
    expect(await eventsFor(t, 'attacker@example.com')).toEqual([]);
    expect(await eventsFor(t, 'victim@example.com')).toEqual([]);
  });

  it('refuses a body over the 5 MB batch limit with 413 before verifying it', async () => {
    const res = await postRaw(Buffer.alloc(5 * 1024 * 1024 + 1, 0x20), {
      [SENDGRID_SIGNATURE_HEADER]: 'x',
      [SENDGRID_TIMESTAMP_HEADER]: '1',
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('BOUNCER_ERR_PAYLOAD_TOO_LARGE');
  });
});

describe.each(testDialects())('SendGrid webhook settings on %s', (dialect) => {
  const keys = makeSendgridKeys();
  const clock = new FixedClock(T0);
  const signed = (events: unknown[], timestamp: string) => {
    const body = sendgridBody(events);
    return {
      body,
      headers: {
        'content-type': 'application/json',
        [SENDGRID_SIGNATURE_HEADER]: signSendgrid(keys, timestamp, body),
        [SENDGRID_TIMESTAMP_HEADER]: timestamp,
      },
    };
  };
  const batch = [
    { email: 'a@example.com', event: 'unsubscribe', sg_event_id: 'cfg-1', timestamp: T0 / 1000 },
  ];

  it('refuses every request with the uniform 401 when no key is configured', async () => {
    const t = await buildTestApp(dialect, { clock });
    try {
      const { body, headers } = signed(batch, String(T0 / 1000));
      expectUnauthorized(
        await t.app.inject({ method: 'POST', url: '/webhooks/sendgrid', payload: body, headers }),
      );
    } finally {
      await t.close();
    }
  });

  it('enforces BOUNCER_SENDGRID_MAX_AGE_SECONDS in both directions when it is set', async () => {
    const t = await buildTestApp(dialect, {
      clock,
      env: { BOUNCER_SENDGRID_PUBLIC_KEY: keys.pem, BOUNCER_SENDGRID_MAX_AGE_SECONDS: '300' },
    });
    try {
      const send = (offsetSeconds: number) => {
        const { body, headers } = signed(batch, String(T0 / 1000 + offsetSeconds));
        return t.app.inject({ method: 'POST', url: '/webhooks/sendgrid', payload: body, headers });
      };
      expectUnauthorized(await send(-301));
      expectUnauthorized(await send(301));
      expect((await send(-299)).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe.each(testDialects())('SendGrid drops by default on %s', (dialect) => {
  it('records a drop for an address on SendGrid’s bounce list without suppressing it', async () => {
    const keys = makeSendgridKeys();
    const t = await buildTestApp(dialect, {
      clock: new FixedClock(T0),
      env: { BOUNCER_SENDGRID_PUBLIC_KEY: keys.verificationKey },
    });
    try {
      const body = sendgridBody([
        {
          email: 'dropped@example.com',
          event: 'dropped',
          reason: 'Bounced Address',
          sg_event_id: 'drop-default-1',
          timestamp: Math.floor(T0 / 1_000),
        },
      ]);
      const timestamp = String(Math.floor(T0 / 1_000));
      const res = await t.app.inject({
        method: 'POST',
        url: '/webhooks/sendgrid',
        payload: body,
        headers: {
          'content-type': 'application/json',
          [SENDGRID_SIGNATURE_HEADER]: signSendgrid(keys, timestamp, body),
          [SENDGRID_TIMESTAMP_HEADER]: timestamp,
        },
      });
      expect(res.statusCode).toBe(200);
      await t.drain();
      expect(await eventsFor(t, 'dropped@example.com')).toMatchObject([{ type: 'dropped' }]);
      expect(await suppressionOf(t, 'dropped@example.com')).toMatchObject({ suppressed: false });
    } finally {
      await t.close();
    }
  });
});
