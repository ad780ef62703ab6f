import { maskAddress, normalisePhone } from '../../core/address.js';
import { AppError, ParseError } from '../../core/errors.js';
import type { Reason, Severity } from '../../core/events.js';
import type { ProviderAdapter, VerifyResult, WebhookRequest } from '../types.js';

/**
 * What the SMS providers share: the action an error code argues for (the vocabulary Twilio's
 * table uses, so every provider's `BOUNCER_<PROVIDER>_ERROR_CODES` reads the same), opt-out
 * keywords, and E.164 numbers from the MSISDNs most providers send without `+` (spec C §0.7).
 */
export const SMS_CODE_ACTIONS = [
  'invalid_number',
  'carrier_rejection',
  'sms_opt_out',
  'sms_failure',
  'none',
] as const;
export type SmsCodeAction = (typeof SMS_CODE_ACTIONS)[number];

/** Key of an override table that sets the action for codes missing from the table. */
export const SMS_UNKNOWN_CODE_KEY = 'default';

export type SmsCodeTable = ReadonlyMap<string, SmsCodeAction>;

export function isSmsCodeAction(value: unknown): value is SmsCodeAction {
  return typeof value === 'string' && (SMS_CODE_ACTIONS as readonly string[]).includes(value);
}

/** A provider's defaults with the operator's overrides applied; `default` is the unknown-code action. */
export function buildSmsCodeTable(
  defaults: Readonly<Record<string, SmsCodeAction>>,
  unknownAction: SmsCodeAction,
  overrides: Readonly<Record<string, SmsCodeAction>> = {},
): SmsCodeTable {
  const table = new Map<string, SmsCodeAction>(Object.entries(defaults));
  table.set(SMS_UNKNOWN_CODE_KEY, unknownAction);
  for (const [code, action] of Object.entries(overrides)) table.set(code, action);
  return table;
}

export function smsActionFor(table: SmsCodeTable, code: string | null): SmsCodeAction {
  return (code === null ? undefined : table.get(code)) ?? table.get(SMS_UNKNOWN_CODE_KEY) ?? 'none';
}

/** Opt-outs and dead numbers are permanent until undone; repeated transient failures soft. */
export function smsSeverity(action: SmsCodeAction): Severity | null {
  if (action === 'none') return null;
  return action === 'sms_failure' ? 'soft' : 'hard';
}

export function smsReason(action: SmsCodeAction): Reason | null {
  return action === 'none' ? null : action;
}

/**
 * Read a `BOUNCER_<PROVIDER>_ERROR_CODES` JSON object (code → action). A typo stops start-up
 * with a message naming the setting. `codePattern` is what the provider's codes look like.
 */
export function parseSmsCodeOverrides(
  raw: string | undefined,
  setting: string,
  codePattern: RegExp = /^\d+$/,
): Record<string, SmsCodeAction> {
  if (raw === undefined || raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new AppError('BOUNCER_ERR_CONFIG', `${setting}: not valid JSON`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      `${setting}: expected a JSON object of error code → action`,
    );
  const result: Record<string, SmsCodeAction> = {};
  for (const [code, action] of Object.entries(parsed)) {
    if (code !== SMS_UNKNOWN_CODE_KEY && !codePattern.test(code))
      throw new AppError(
        'BOUNCER_ERR_CONFIG',
        `${setting}: "${code}" is not an error code of this provider or "${SMS_UNKNOWN_CODE_KEY}"`,
      );
    if (!isSmsCodeAction(action))
      throw new AppError(
        'BOUNCER_ERR_CONFIG',
        `${setting}: code ${code} has action ${JSON.stringify(action)}; expected one of ${SMS_CODE_ACTIONS.join(', ')}`,
      );
    result[code] = action;
  }
  return result;
}

/**
 * Keywords that carriers and the providers' own opt-out handling act on (CTIA's STOP family;
 * Telnyx adds `STOP ALL`, AWS `ARRET`, `OPT-OUT`, `REMOVE`, `TD`: spec C §10.5, §14.4).
 */
export const SMS_OPT_OUT_KEYWORDS: ReadonlySet<string> = new Set([
  'STOP',
  'STOPALL',
  'STOP ALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPTOUT',
  'OPT-OUT',
  'ARRET',
  'REMOVE',
  'TD',
]);
export const SMS_OPT_IN_KEYWORDS: ReadonlySet<string> = new Set(['START', 'UNSTOP', 'YES']);

export type SmsKeyword = { type: 'sms_opt_out' | 'sms_opt_in'; keyword: string };

/**
 * The whole message (trimmed, case and inner whitespace folded) is the keyword: carriers act on
 * "STOP", not on "please stop texting me", and a false opt-out would silence a customer.
 */
export function smsKeyword(text: string | null | undefined): SmsKeyword | null {
  if (typeof text !== 'string') return null;
  const folded = text.trim().replace(/\s+/g, ' ').toUpperCase();
  if (folded.length > 16) return null;
  if (SMS_OPT_OUT_KEYWORDS.has(folded)) return { type: 'sms_opt_out', keyword: folded };
  if (SMS_OPT_IN_KEYWORDS.has(folded)) return { type: 'sms_opt_in', keyword: folded };
  return null;
}

/**
 * E.164 of a recipient or sender. An all-digit value of plausible length is an MSISDN (already
 * international, without `+`: Vonage `msisdn`, Plivo `To`, Sinch `recipient`, Infobip `to`,
 * MessageBird `recipient`), so it gets `+` rather than being read as a national number.
 */
export function smsNumber(
  raw: unknown,
  field: string,
  provider: string,
  defaultRegion: string,
): string {
  if (typeof raw !== 'string' || raw.trim() === '')
    throw new ParseError(`${provider} webhook: missing ${field}`);
  const value = raw.trim();
  const input = /^\d{8,15}$/.test(value) ? `+${value}` : value;
  const n = normalisePhone(input, defaultRegion);
  if (!n.ok)
    throw new ParseError(
      `${provider} webhook: ${field} ${maskAddress(value)} is not a phone number (${n.error})`,
    );
  return n.address;
}

/** A string field, or null (numbers kept as their decimal text: codes arrive either way). */
export function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** SMS verifiers are synchronous (HMAC, Ed25519); the narrower type saves callers an await. */
export interface SyncAdapter extends ProviderAdapter {
  verify(req: WebhookRequest): VerifyResult;
}
