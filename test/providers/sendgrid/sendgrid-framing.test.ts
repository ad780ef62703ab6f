import { describe, expect, it } from 'vitest';
import { createSendgridAdapter } from '../../../src/providers/sendgrid/sendgrid.adapter.js';
import { makeSendgridKeys, signedSendgridRequest } from '../../helpers/sendgrid-signer.js';

// The signed string is timestamp‖body with no separator (spec A §1.2): only the exact 10-digit
// timestamp SendGrid sends and a body that is a JSON array keep the split unambiguous.
describe('SendGrid signed-string framing', () => {
  const keys = makeSendgridKeys();
  const adapter = createSendgridAdapter({ publicKeys: [keys.verificationKey] });
  const body =
    '[{"email":"a@example.com","event":"bounce","sg_event_id":"e1","timestamp":1700000000}]';

  it('accepts the 10-digit timestamp SendGrid sends', () => {
    expect(adapter.verify(signedSendgridRequest(keys, body, { timestamp: '1700000000' }))).toEqual({
      ok: true,
    });
  });

  it.each(['170000000', '17000000001', '0001700000000', '1700000000.5'])(
    'refuses a correctly signed timestamp of another shape (%s)',
    (timestamp) => {
      expect(adapter.verify(signedSendgridRequest(keys, body, { timestamp }))).toMatchObject({
        ok: false,
      });
    },
  );

  it.each(['1[{"a":1}]', '{"email":"a@example.com"}', '"x"', ' \r\n{"a":[]}'])(
    'refuses a correctly signed body that is not a JSON array (%s) before it is stored',
    (notArray) => {
      expect(
        adapter.verify(signedSendgridRequest(keys, notArray, { timestamp: '1700000000' })),
      ).toEqual({ ok: false, reason: 'body is not a JSON array' });
    },
  );
});
