import type { SmsCodeAction } from '../shared/sms.js';

/**
 * Messaging error codes (spec C §10.4). Spam and body errors are about the message; 40004 and
 * 40008 count as failures the policy makes permanent when they repeat. 40300 is an opt-out only
 * when its title says STOP (checked by the adapter: third parties report it for other blocks).
 */
export const TELNYX_ERROR_CODES: Readonly<Record<string, SmsCodeAction>> = Object.freeze({
  '40001': 'invalid_number', // not routable: landline or not SMS-capable
  '40002': 'none', // blocked as spam, temporary (content)
  '40003': 'none', // blocked as spam, permanent (content)
  '40004': 'sms_failure', // rejected by destination
  '40005': 'sms_failure', // expired during transmission
  '40006': 'sms_failure', // recipient unavailable
  '40008': 'sms_failure', // undeliverable: permanent after repeats (policy)
  '40009': 'none', // invalid message body
  '40011': 'none', // too many requests
  '40012': 'invalid_number', // invalid destination number
  '40300': 'sms_opt_out', // blocked due to STOP message
  '40310': 'invalid_number', // invalid 'to' address
});
/** Most other 40xxx codes are about our account, sender registration or request. */
export const TELNYX_UNKNOWN_ACTION: SmsCodeAction = 'none';
export const TELNYX_STOP_CODE = '40300';
