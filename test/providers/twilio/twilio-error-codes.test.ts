import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/core/errors.js';
import type { NormalisedEvent } from '../../../src/core/events.js';
import {
  actionForCode,
  buildTwilioErrorCodeTable,
  DEFAULT_TWILIO_ERROR_CODES,
  parseTwilioErrorCodeOverrides,
  type TwilioCodeAction,
} from '../../../src/providers/twilio/twilio-error-codes.js';
import {
  createTwilioStatusAdapter,
  type TwilioAdapterOptions,
} from '../../../src/providers/twilio/twilio.adapter.js';
import {
  signedTwilioRequest,
  statusParams,
  TWILIO_TEST_PUBLIC_URL,
  TWILIO_TEST_TOKEN,
} from '../../helpers/twilio-signer.js';

const ctx = { defaultPhoneRegion: 'US' };

function failureEvent(
  errorCode: string,
  errorCodes?: TwilioAdapterOptions['errorCodes'],
  status = 'undelivered',
): NormalisedEvent {
  const adapter = createTwilioStatusAdapter({
    authTokens: [TWILIO_TEST_TOKEN],
    publicUrl: TWILIO_TEST_PUBLIC_URL,
    errorCodes,
  });
  const req = signedTwilioRequest(statusParams({ MessageStatus: status, ErrorCode: errorCode }), {
    path: '/webhooks/twilio/status',
  });
  expect(adapter.verify(req)).toEqual({ ok: true });
  const result = adapter.parse(req, ctx);
  if (result.kind !== 'events') throw new Error(`expected events, got ${result.kind}`);
  return result.events[0] as NormalisedEvent;
}

// The default table of spec §2.8, as the issue states it: code → (reason, severity).
const EXPECTED: Array<[string, TwilioCodeAction, 'hard' | 'soft' | null]> = [
  ['30005', 'invalid_number', 'hard'],
  ['21211', 'invalid_number', 'hard'],
  ['21614', 'invalid_number', 'hard'],
  ['21635', 'invalid_number', 'hard'],
  ['30006', 'carrier_rejection', 'hard'],
  ['30004', 'sms_opt_out', 'hard'],
  ['21610', 'sms_opt_out', 'hard'],
  ['63014', 'sms_opt_out', 'hard'],
  ['30003', 'sms_failure', 'soft'],
  ['30008', 'sms_failure', 'soft'],
  ['21612', 'sms_failure', 'soft'],
  ['30009', 'sms_failure', 'soft'],
  ['30007', 'none', null],
  ['30001', 'none', null],
  ['30002', 'none', null],
  ['30010', 'none', null],
  ['21408', 'none', null],
  ['21608', 'none', null],
  ['30032', 'none', null],
  ['30034', 'none', null],
];

describe('Twilio error-code table', () => {
  it('lists exactly the codes of the default table', () => {
    expect(Object.keys(DEFAULT_TWILIO_ERROR_CODES).sort()).toEqual(
      EXPECTED.map(([code]) => code).sort(),
    );
  });

  it.each(EXPECTED)(
    'records ErrorCode %s as an sms_failure with reason %s and severity %s',
    (code, action, severity) => {
      const event = failureEvent(code);
      expect(event).toMatchObject({
        type: 'sms_failure',
        reason: action === 'none' ? null : action,
        severity,
        errorCode: code,
      });
      expect(event.dedupKey).toBe(`SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:undelivered:${code}`);
    },
  );

  it('uses the same table for failed (never handed to the carrier) as for undelivered', () => {
    expect(failureEvent('21610', undefined, 'failed')).toMatchObject({
      reason: 'sms_opt_out',
      dedupKey: 'SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:failed:21610',
    });
  });

  it('records an unknown code without arguing for suppression by default', () => {
    expect(failureEvent('30022')).toMatchObject({
      type: 'sms_failure',
      reason: null,
      severity: null,
      errorCode: '30022',
    });
  });

  it("applies overrides: seed 000's 30003/30004 as invalid numbers, a code switched off, a new code", () => {
    const overrides = {
      '30003': 'invalid_number',
      '30004': 'invalid_number',
      '30005': 'none',
      '30022': 'sms_failure',
    } as const;
    expect(failureEvent('30003', overrides)).toMatchObject({
      reason: 'invalid_number',
      severity: 'hard',
    });
    expect(failureEvent('30004', overrides)).toMatchObject({
      reason: 'invalid_number',
      severity: 'hard',
    });
    expect(failureEvent('30005', overrides)).toMatchObject({ reason: null, severity: null });
    expect(failureEvent('30022', overrides)).toMatchObject({
      reason: 'sms_failure',
      severity: 'soft',
    });
    expect(failureEvent('30006', overrides)).toMatchObject({ reason: 'carrier_rejection' });
  });

  it('lets the "default" key change the action for unknown codes and missing ErrorCode', () => {
    const table = buildTwilioErrorCodeTable({ default: 'sms_failure' });
    expect(actionForCode(table, '39999')).toBe('sms_failure');
    expect(actionForCode(table, null)).toBe('sms_failure');
    expect(actionForCode(table, '30007')).toBe('none');
  });
});

describe('parseTwilioErrorCodeOverrides (BOUNCER_TWILIO_ERROR_CODES)', () => {
  it('reads a JSON object of code → action', () => {
    expect(
      parseTwilioErrorCodeOverrides(
        '{"30003":"invalid_number","30004":"invalid_number","default":"none"}',
      ),
    ).toEqual({
      '30003': 'invalid_number',
      '30004': 'invalid_number',
      default: 'none',
    });
  });

  it.each([
    ['not json', /not valid JSON/],
    ['["30003"]', /expected a JSON object/],
    ['{"abc":"none"}', /"abc" is not a numeric Twilio error code/],
    ['{"30003":"hard_bounce"}', /code 30003 has action "hard_bounce"/],
  ])('rejects %s with a config error naming the setting', (raw, message) => {
    let error: unknown;
    try {
      parseTwilioErrorCodeOverrides(raw);
    } catch (err) {
      error = err;
    }
    expect(isAppError(error) && error.code === 'BOUNCER_ERR_CONFIG').toBe(true);
    expect((error as Error).message).toMatch(/^BOUNCER_TWILIO_ERROR_CODES: /);
    expect((error as Error).message).toMatch(message);
  });
});
