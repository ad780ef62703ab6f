import { AppError } from '../../core/errors.js';
import type { Reason, Severity } from '../../core/events.js';

/**
 * What a Twilio `ErrorCode` on a `failed`/`undelivered` status callback means for the recipient:
 * the suppression reason it argues for, or `none` when the failure is not the recipient's (the
 * event is still recorded, with a null reason).
 */
export const TWILIO_CODE_ACTIONS = [
  'invalid_number',
  'carrier_rejection',
  'sms_opt_out',
  'sms_failure',
  'none',
] as const;
export type TwilioCodeAction = (typeof TWILIO_CODE_ACTIONS)[number];

/** Key of an override table that replaces the action for codes missing from the table. */
export const UNKNOWN_CODE_KEY = 'default';

/**
 * Codes not in the table (and failures without an `ErrorCode`) record the event without arguing
 * for suppression. Most unlisted 3xxxx codes are sender-side (10DLC/toll-free registration,
 * rate and daily caps, queue and pricing limits): counting them against recipients would put
 * every recipient of a misconfigured account into cool-down at once. Operators who prefer
 * counting unknown failures set `{"default":"sms_failure"}`.
 */
export const UNKNOWN_CODE_ACTION: TwilioCodeAction = 'none';

/** Defaults from spec §2.8 (Twilio error dictionary); (C) rows confirmed in Twilio's own docs. */
export const DEFAULT_TWILIO_ERROR_CODES: Readonly<Record<string, TwilioCodeAction>> = Object.freeze(
  {
    // The number does not exist or cannot take SMS: permanent.
    '21211': 'invalid_number', // invalid 'To' number
    '21614': 'invalid_number', // (C) not a valid mobile number (landline or invalid)
    '21635': 'invalid_number', // (C) 'To' cannot be a landline
    '30005': 'invalid_number', // unknown, inactive or out-of-service handset
    '30006': 'carrier_rejection', // (C) landline or unreachable carrier: do not retry this destination
    // The recipient (or their carrier on their behalf) blocked us: an opt-out until they opt back in.
    '21610': 'sms_opt_out', // recipient replied STOP to this sender / Messaging Service
    '30004': 'sms_opt_out', // message blocked by the recipient or carrier
    '63014': 'sms_opt_out', // (C) channel message blocked by user action
    // Temporary: cool-down, permanent only when it repeats (the policy counts them).
    '21612': 'sms_failure', // 'To' not currently reachable via SMS
    '30003': 'sms_failure', // (C) handset off, out of coverage, roaming
    '30008': 'sms_failure', // unknown error
    '30009': 'sms_failure', // missing segment
    // Our account, sender registration, content or pricing: never the recipient's fault.
    '21408': 'none', // region not enabled (geo permissions)
    '21608': 'none', // (C) trial account / unverified 'To'
    '30001': 'none', // queue overflow
    '30002': 'none', // account suspended
    '30007': 'none', // message filtered (content / unregistered traffic)
    '30010': 'none', // price exceeds max price
    '30032': 'none', // toll-free number not verified
    '30034': 'none', // unregistered 10DLC number
  },
);

export function isTwilioCodeAction(value: unknown): value is TwilioCodeAction {
  return typeof value === 'string' && (TWILIO_CODE_ACTIONS as readonly string[]).includes(value);
}

/** The default table with the operator's overrides applied (`default` sets the unknown-code action). */
export function buildTwilioErrorCodeTable(
  overrides: Partial<Record<string, TwilioCodeAction>> = {},
): ReadonlyMap<string, TwilioCodeAction> {
  const table = new Map<string, TwilioCodeAction>(Object.entries(DEFAULT_TWILIO_ERROR_CODES));
  table.set(UNKNOWN_CODE_KEY, UNKNOWN_CODE_ACTION);
  for (const [code, action] of Object.entries(overrides))
    if (action !== undefined) table.set(code, action);
  return table;
}

/** The action for a code (missing code → the table's `default`). */
export function actionForCode(
  table: ReadonlyMap<string, TwilioCodeAction>,
  code: string | null,
): TwilioCodeAction {
  return (
    (code === null ? undefined : table.get(code)) ??
    table.get(UNKNOWN_CODE_KEY) ??
    UNKNOWN_CODE_ACTION
  );
}

/** Severity recorded with each action: opt-outs and dead numbers are permanent until undone. */
export function severityForAction(action: TwilioCodeAction): Severity | null {
  if (action === 'none') return null;
  return action === 'sms_failure' ? 'soft' : 'hard';
}

export function reasonForAction(
  action: TwilioCodeAction,
): Extract<Reason, TwilioCodeAction> | null {
  return action === 'none' ? null : action;
}

/**
 * Read `BOUNCER_TWILIO_ERROR_CODES` (a JSON object, code → action) for the config loader.
 * Fails with a message naming the setting, so a typo stops the service at startup.
 */
export function parseTwilioErrorCodeOverrides(
  raw: string,
  setting = 'BOUNCER_TWILIO_ERROR_CODES',
): Record<string, TwilioCodeAction> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new AppError('BOUNCER_ERR_CONFIG', `${setting}: not valid JSON`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      `${setting}: expected a JSON object of error code → action`,
    );
  }
  const result: Record<string, TwilioCodeAction> = {};
  for (const [code, action] of Object.entries(parsed)) {
    if (code !== UNKNOWN_CODE_KEY && !/^\d+$/.test(code)) {
      throw new AppError(
        'BOUNCER_ERR_CONFIG',
        `${setting}: "${code}" is not a numeric Twilio error code or "${UNKNOWN_CODE_KEY}"`,
      );
    }
    if (!isTwilioCodeAction(action)) {
      throw new AppError(
        'BOUNCER_ERR_CONFIG',
        `${setting}: code ${code} has action ${JSON.stringify(action)}; expected one of ${TWILIO_CODE_ACTIONS.join(', ')}`,
      );
    }
    result[code] = action;
  }
  return result;
}
