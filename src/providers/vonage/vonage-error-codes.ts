import type { SmsCodeAction } from '../shared/sms.js';

/**
 * SMS API delivery receipt `err-code` (spec C §8.1). Content and anti-spam rejections are about
 * the message, not the number: recorded, never suppressing (as Twilio's 30007). Unroutable (11)
 * counts as a failure so the policy makes it permanent only when it repeats.
 */
export const VONAGE_SMS_ERROR_CODES: Readonly<Record<string, SmsCodeAction>> = Object.freeze({
  '0': 'none', // delivered
  '1': 'sms_failure', // unknown, no detail from the carrier
  '2': 'sms_failure', // absent subscriber, temporary
  '3': 'invalid_number', // absent subscriber, permanent (number inactive)
  '4': 'invalid_number', // call barred by user
  '5': 'sms_failure', // portability error
  '6': 'none', // anti-spam rejection (content)
  '7': 'sms_failure', // handset busy
  '8': 'sms_failure', // network error
  '9': 'sms_opt_out', // illegal number: includes an opt-out from this sender (Opt-Out Assist)
  '10': 'none', // illegal message (content)
  '11': 'sms_failure', // unroutable: permanent after repeats (policy)
  '12': 'sms_failure', // destination unreachable
  '13': 'carrier_rejection', // subscriber age restriction
  '14': 'carrier_rejection', // number blocked by carrier
  '15': 'sms_failure', // pre-paid recipient without funds
  '99': 'sms_failure', // general error
});
/** §9.3-style rule for the SMS API: the table is complete, anything new is a transient failure. */
export const VONAGE_SMS_UNKNOWN_ACTION: SmsCodeAction = 'sms_failure';

/** Messages API `error.title` codes, SMS-relevant rows of spec C §8.3. */
export const VONAGE_MESSAGES_ERROR_CODES: Readonly<Record<string, SmsCodeAction>> = Object.freeze({
  '1000': 'none', // throttled: our submission capacity
  '1050': 'invalid_number', // number barred
  '1170': 'invalid_number', // invalid MSISDN
  '1180': 'sms_failure', // absent subscriber, temporary
  '1190': 'invalid_number', // absent subscriber, permanent
  '1200': 'sms_failure', // portability error
  '1210': 'none', // anti-spam rejection (content)
  '1220': 'sms_failure', // handset busy
  '1230': 'sms_failure', // network error
  '1240': 'sms_opt_out', // illegal number: the opt-out equivalent of err-code 9 [unverified]
  '1250': 'sms_failure', // unroutable: permanent after repeats (policy)
  '1260': 'sms_failure', // destination unreachable
  '1270': 'carrier_rejection', // subscriber age restriction
  '1280': 'carrier_rejection', // number blocked by carrier
  '1290': 'sms_failure', // pre-paid insufficient funds
  '1300': 'invalid_number', // not part of the provider network
  '1310': 'invalid_number', // not a suitable device
  '1330': 'sms_failure', // unknown
});
/** Other Messages codes (1020 invalid params, 1120 illegal sender…) are about our request. */
export const VONAGE_MESSAGES_UNKNOWN_ACTION: SmsCodeAction = 'none';
