import type { SmsCodeAction } from '../shared/sms.js';

/**
 * GSM/MAP error numbers in legacy `statusErrorCode` and Bird's `failure.source.code` (spec C
 * §11.4: Bird groups 1, 5 and similar as "unknown subscriber"; absent subscriber, system
 * failure, expiry and missing receipts are temporary). Numbers outside the table are counted as
 * transient failures, so only repetition makes them permanent.
 */
export const MESSAGEBIRD_ERROR_CODES: Readonly<Record<string, SmsCodeAction>> = Object.freeze({
  '1': 'invalid_number', // EC_UNKNOWN_SUBSCRIBER
  '5': 'invalid_number', // EC_UNIDENTIFIED_SUBSCRIBER
  '9': 'invalid_number', // EC_ILLEGAL_SUBSCRIBER
  '2': 'sms_failure', // EC_UNKNOWN_BASE_STATION
  '3': 'sms_failure', // EC_UNKNOWN_MSC
  '27': 'sms_failure', // EC_ABSENT_SUBSCRIBER
  '31': 'sms_failure', // EC_SUBSCRIBER_BUSY_FOR_MT_SMS
  '34': 'sms_failure', // EC_SYSTEM_FAILURE
  '13': 'carrier_rejection', // EC_CALL_BARRED
});
export const MESSAGEBIRD_UNKNOWN_ACTION: SmsCodeAction = 'sms_failure';
