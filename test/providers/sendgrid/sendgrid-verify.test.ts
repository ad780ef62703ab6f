import { readFileSync } from 'node:fs';
import eventwebhook from '@sendgrid/eventwebhook';
import { describe, expect, it } from 'vitest';
import { createSendgridAdapter } from '../../../src/providers/sendgrid/sendgrid.adapter.js';
import {
  SENDGRID_SIGNATURE_HEADER as SIG,
  SENDGRID_TIMESTAMP_HEADER as TS,
  makeSendgridKeys,
  sendgridBody,
  sendgridRequest,
  signSendgrid,
  signedSendgridRequest,
} from '../../helpers/sendgrid-signer.js';

const { EventWebhook } = eventwebhook;

interface Vector {
  publicKey: string;
  signature: string;
  timestamp: string;
  events: unknown[];
}
const vectors = JSON.parse(
  readFileSync(
    new URL('../../fixtures/providers/sendgrid/official-vectors.json', import.meta.url),
    'utf8',
  ),
) as {
  single: Vector;
  multiple: Vector;
  negative: {
    otherPublicKey: string;
    otherSignature: string;
    otherPayload: string;
    otherTimestamp: string;
  };
};
const singleBody = JSON.stringify(vectors.single.events) + '\r\n';
const multipleBody = sendgridBody(vectors.multiple.events);
const AT = 1_700_000_010_000;
const events = [
  { email: 'a@example.com', event: 'delivered', sg_event_id: 'ev1', timestamp: 1_700_000_000 },
];

function verifyVector(publicKeys: string[], body: string, signature: string, timestamp: string) {
  return createSendgridAdapter({ publicKeys }).verify(
    sendgridRequest(body, { [SIG]: signature, [TS]: timestamp }, 1_600_112_510_000),
  );
}

describe('SendGrid official known-answer vectors (spec A §1.4)', () => {
  it('accepts the single-event vector', () => {
    const v = vectors.single;
    expect(verifyVector([v.publicKey], singleBody, v.signature, v.timestamp)).toEqual({ ok: true });
  });

  it('accepts the multi-event vector with CRLF separators', () => {
    const v = vectors.multiple;
    expect(verifyVector([v.publicKey], multipleBody, v.signature, v.timestamp)).toEqual({
      ok: true,
    });
  });

  it('rejects the single-event body without its trailing CRLF', () => {
    const v = vectors.single;
    expect(verifyVector([v.publicKey], singleBody.trimEnd(), v.signature, v.timestamp).ok).toBe(
      false,
    );
  });

  it('rejects the multi-event body re-serialised as compact JSON', () => {
    const v = vectors.multiple;
    expect(verifyVector([v.publicKey], JSON.stringify(v.events), v.signature, v.timestamp).ok).toBe(
      false,
    );
  });

  it('rejects each negative vector: other key, other payload, other signature, other timestamp', () => {
    const v = vectors.single;
    const n = vectors.negative;
    expect(verifyVector([n.otherPublicKey], singleBody, v.signature, v.timestamp).ok).toBe(false);
    expect(verifyVector([v.publicKey], n.otherPayload, v.signature, v.timestamp).ok).toBe(false);
    expect(verifyVector([v.publicKey], singleBody, n.otherSignature, v.timestamp).ok).toBe(false);
    expect(verifyVector([v.publicKey], singleBody, v.signature, n.otherTimestamp).ok).toBe(false);
  });
});

describe('SendGrid signature verification', () => {
  const keys = makeSendgridKeys();
  const body = sendgridBody(events);

  it('accepts a body signed with the configured key, given as base64 DER or as PEM', () => {
    const req = signedSendgridRequest(keys, body);
    expect(createSendgridAdapter({ publicKeys: [keys.verificationKey] }).verify(req)).toEqual({
      ok: true,
    });
    expect(createSendgridAdapter({ publicKeys: [keys.pem] }).verify(req)).toEqual({ ok: true });
  });

  it('accepts a signature from the second configured key (rotation)', () => {
    const old = makeSendgridKeys();
    const adapter = createSendgridAdapter({
      publicKeys: [old.verificationKey, keys.verificationKey],
    });
    expect(adapter.verify(signedSendgridRequest(keys, body))).toEqual({ ok: true });
  });

  it('rejects a signature made with a key that is not configured', () => {
    const adapter = createSendgridAdapter({ publicKeys: [makeSendgridKeys().verificationKey] });
    expect(adapter.verify(signedSendgridRequest(keys, body))).toEqual({
      ok: false,
      reason: 'signature does not match any configured key',
    });
  });

  it('rejects a tampered body', () => {
    const req = signedSendgridRequest(keys, body);
    const tampered = {
      ...req,
      rawBody: Buffer.from(body.replace('a@example.com', 'b@example.com')),
    };
    expect(createSendgridAdapter({ publicKeys: [keys.verificationKey] }).verify(tampered).ok).toBe(
      false,
    );
  });

  it('rejects a request missing the signature or the timestamp header', () => {
    const adapter = createSendgridAdapter({ publicKeys: [keys.verificationKey] });
    const req = signedSendgridRequest(keys, body);
    expect(adapter.verify({ ...req, headers: { ...req.headers, [SIG]: undefined } })).toEqual({
      ok: false,
      reason: 'missing signature header',
    });
    expect(adapter.verify({ ...req, headers: { ...req.headers, [TS]: undefined } })).toEqual({
      ok: false,
      reason: 'missing timestamp header',
    });
  });

  it('rejects an empty body even with a valid signature over it', () => {
    const adapter = createSendgridAdapter({ publicKeys: [keys.verificationKey] });
    expect(adapter.verify(signedSendgridRequest(keys, ''))).toEqual({
      ok: false,
      reason: 'empty body',
    });
  });

  it('treats malformed base64, malformed DER and raw r||s signatures as invalid without throwing', () => {
    const adapter = createSendgridAdapter({ publicKeys: [keys.verificationKey] });
    const ts = '1700000010';
    for (const signature of [
      '!!!not base64!!!',
      'MEUCIQ==',
      Buffer.alloc(64, 1).toString('base64'),
    ]) {
      expect(adapter.verify(sendgridRequest(body, { [SIG]: signature, [TS]: ts })).ok).toBe(false);
    }
  });

  it('accepts any timestamp age when no window is configured', () => {
    const adapter = createSendgridAdapter({ publicKeys: [keys.verificationKey] });
    expect(
      adapter.verify(
        signedSendgridRequest(keys, body, { timestamp: '1600000000', receivedAt: AT }),
      ),
    ).toEqual({ ok: true });
  });

  it('rejects stale and future-dated timestamps beyond the configured window and accepts those inside it', () => {
    const adapter = createSendgridAdapter({
      publicKeys: [keys.verificationKey],
      maxTimestampAgeSeconds: 300,
    });
    const at = (offsetSeconds: number) => String(AT / 1000 + offsetSeconds);
    expect(
      adapter.verify(signedSendgridRequest(keys, body, { timestamp: at(-301), receivedAt: AT })),
    ).toEqual({ ok: false, reason: 'timestamp too old' });
    expect(
      adapter.verify(signedSendgridRequest(keys, body, { timestamp: at(301), receivedAt: AT })),
    ).toEqual({ ok: false, reason: 'timestamp in the future' });
    expect(
      adapter.verify(signedSendgridRequest(keys, body, { timestamp: at(-300), receivedAt: AT })),
    ).toEqual({ ok: true });
    expect(
      adapter.verify(signedSendgridRequest(keys, body, { timestamp: at(299), receivedAt: AT })),
    ).toEqual({ ok: true });
  });

  it('rejects a timestamp header that is not Unix seconds', () => {
    const adapter = createSendgridAdapter({ publicKeys: [keys.verificationKey] });
    expect(adapter.verify(signedSendgridRequest(keys, body, { timestamp: 'timestamp' })).ok).toBe(
      false,
    );
  });

  it('fails at startup on a missing, malformed or non-P-256 key, naming the setting', () => {
    expect(() => createSendgridAdapter({ publicKeys: [] })).toThrow(/BOUNCER_SENDGRID_PUBLIC_KEY/);
    expect(() => createSendgridAdapter({ publicKeys: ['bm90IGEga2V5'] })).toThrow(
      /BOUNCER_SENDGRID_PUBLIC_KEY/,
    );
    expect(() =>
      createSendgridAdapter({ publicKeys: [keys.verificationKey], maxTimestampAgeSeconds: 0 }),
    ).toThrow(/BOUNCER_SENDGRID_MAX_AGE_SECONDS/);
  });
});

describe('SendGrid signatures against the official SDK (@sendgrid/eventwebhook)', () => {
  it('the SDK verifies signatures made by our test signer', () => {
    const keys = makeSendgridKeys();
    const body = sendgridBody(events);
    const ts = '1700000010';
    const ew = new EventWebhook();
    expect(
      ew.verifySignature(
        ew.convertPublicKeyToECDSA(keys.verificationKey),
        body,
        signSendgrid(keys, ts, body),
        ts,
      ),
    ).toBe(true);
    expect(
      ew.verifySignature(
        ew.convertPublicKeyToECDSA(keys.pem),
        Buffer.from(body),
        signSendgrid(keys, ts, body),
        ts,
      ),
    ).toBe(true);
  });

  it('our adapter and the SDK agree on valid and tampered requests', () => {
    const keys = makeSendgridKeys();
    const adapter = createSendgridAdapter({ publicKeys: [keys.verificationKey] });
    const ew = new EventWebhook();
    const sdkKey = ew.convertPublicKeyToECDSA(keys.verificationKey);
    const body = sendgridBody(events);
    const ts = '1700000010';
    const signature = signSendgrid(keys, ts, body);
    for (const candidate of [body, body.replace('delivered', 'processed')]) {
      const ours = adapter.verify(sendgridRequest(candidate, { [SIG]: signature, [TS]: ts })).ok;
      expect(ours).toBe(ew.verifySignature(sdkKey, candidate, signature, ts));
    }
  });
});
