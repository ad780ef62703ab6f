import type { Channel } from './address.js';

/** Every kind of thing a provider can tell us about a recipient, for email and SMS alike. */
export const EVENT_TYPES = [
  'processed', // accepted by the provider for sending
  'delivered',
  'deferred', // temporary delay, the provider keeps trying
  'bounce',
  'dropped', // the provider refused to send (often its own suppression)
  'complaint',
  'unsubscribe',
  'resubscribe',
  'reactivated', // the provider lifted its own bounce/complaint suppression (Drip marked_as_deliverable)
  'sms_failure',
  'sms_opt_out',
  'sms_opt_in',
  'open',
  'click',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const SEVERITIES = ['hard', 'soft', 'undetermined'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Why an address is suppressed: the policy has one rule per reason. */
export const REASONS = [
  'hard_bounce',
  'soft_bounce',
  'spam_complaint',
  'unsubscribe',
  'invalid_number',
  'carrier_rejection',
  'sms_opt_out',
  'sms_failure',
  'manual',
] as const;
export type Reason = (typeof REASONS)[number];

export const GLOBAL_SCOPE = '*';

/**
 * One normalised event. `reason` is the suppression reason the event argues for (null for
 * informational events such as delivered, open, click); the policy decides what it does.
 */
export interface NormalisedEvent {
  type: EventType;
  channel: Channel;
  /** Normalised address: lower-cased email or E.164 phone number. */
  address: string;
  /** `*` (global) or an unsubscribe group id. */
  scope: string;
  reason: Reason | null;
  severity: Severity | null;
  /** Fine-grained reason (Sisimai's vocabulary for bounces, e.g. `userunknown`). */
  fineReason: string | null;
  /** SMTP reply code, e.g. `550`. */
  smtpCode: string | null;
  /** RFC 3463 enhanced status code, e.g. `5.1.1`. */
  enhancedStatus: string | null;
  diagnostic: string | null;
  /** Provider error code (Twilio `ErrorCode`, …). */
  errorCode: string | null;
  providerMessageId: string | null;
  campaign: string | null;
  /** Epoch milliseconds when the provider says it happened. */
  occurredAt: number;
  /** Unique per provider: the same event delivered twice has the same key. */
  dedupKey: string;
  /** Provider details worth keeping (status texts, group ids, ids). Small, JSON-serialisable. */
  details: Record<string, unknown>;
}

/** Defaults for the optional parts, so adapters spell out only what they know. */
export function makeEvent(
  fields: Pick<NormalisedEvent, 'type' | 'channel' | 'address' | 'occurredAt' | 'dedupKey'> &
    Partial<NormalisedEvent>,
): NormalisedEvent {
  return {
    scope: GLOBAL_SCOPE,
    reason: null,
    severity: null,
    fineReason: null,
    smtpCode: null,
    enhancedStatus: null,
    diagnostic: null,
    errorCode: null,
    providerMessageId: null,
    campaign: null,
    details: {},
    ...fields,
  };
}

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

export function isReason(value: unknown): value is Reason {
  return typeof value === 'string' && (REASONS as readonly string[]).includes(value);
}
