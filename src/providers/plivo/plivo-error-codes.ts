import type { SmsCodeAction } from '../shared/sms.js';

/**
 * `ErrorCode` of failed/undelivered callbacks (spec C §9.3). Content, loop, length and source
 * errors are ours, not the recipient's; "no route" (90) counts as a failure the policy makes
 * permanent when it repeats.
 */
export const PLIVO_ERROR_CODES: Readonly<Record<string, SmsCodeAction>> = Object.freeze({
  '10': 'none', // invalid message
  '20': 'sms_failure', // network error (temporary)
  '30': 'none', // spam detected (content)
  '40': 'none', // invalid source number
  '50': 'invalid_number', // invalid destination number
  '60': 'none', // loop detected
  '70': 'invalid_number', // destination permanently unavailable
  '80': 'sms_failure', // destination temporarily unavailable
  '90': 'sms_failure', // no route available: permanent after repeats (policy)
  '100': 'carrier_rejection', // prohibited by carrier
  '110': 'none', // message too long
  '200': 'sms_opt_out', // blocked: the destination replied STOP to this source
  '201': 'none', // US toll-free to Canada blocked
  '1000': 'sms_failure', // unknown
});
/** §9.3: "unknown codes → bounce_soft". */
export const PLIVO_UNKNOWN_ACTION: SmsCodeAction = 'sms_failure';
