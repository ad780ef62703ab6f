import type { SmsCodeAction } from '../shared/sms.js';

/**
 * Recipient delivery report `code` (spec C §12.3, Sinch Java SDK `DeliveryReceiptStatusCode`).
 * Codes below 400 are operator SMPP errors passed through; Sinch's permanent/temporary table for
 * them is not reproduced in the spec, so they count as transient failures (the policy makes
 * repeats permanent) unless the operator lists them.
 */
export const SINCH_ERROR_CODES: Readonly<Record<string, SmsCodeAction>> = Object.freeze({
  '0': 'none', // delivered
  '400': 'none', // queued
  '401': 'none', // dispatched
  '402': 'sms_failure', // message unroutable: permanent after repeats (policy)
  '403': 'sms_failure', // internal error
  '404': 'sms_failure', // temporary delivery failure
  '405': 'none', // unmatched parameter
  '406': 'sms_failure', // internal expiry
  '407': 'none', // cancelled
  '408': 'none', // internal reject
  '410': 'none', // unmatched default originator
  '411': 'none', // exceeded parts limit
  '412': 'none', // unprovisioned region
  '413': 'none', // blocked account
  '414': 'none', // MMS-specific failures (414–418)
  '415': 'none',
  '416': 'none',
  '417': 'none',
  '418': 'none',
});
export const SINCH_UNKNOWN_ACTION: SmsCodeAction = 'sms_failure';
