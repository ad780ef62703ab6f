import type { FineReason } from '../../core/classify.js';
import type { EventType, Reason, Severity } from '../../core/events.js';

/**
 * Postmark's bounce `Type` / `TypeCode` table (spec §2.3, the SDK enum) and what each means here
 * (§2.5). Classify by `Type`: the official SpamComplaint sample carries TypeCode 512 (§2.3).
 *
 * - `bounce`: a failure; `reason` is forced when Postmark's verdict is clear (HardBounce,
 *   SoftBounce), else the shared classifier reads `Details` (`classify`).
 * - `deferred`: temporary, nothing to suppress (Transient, DnsError).
 * - `ignored`: not a delivery failure (auto-replies, challenge mails, relay tests).
 */
export interface PostmarkBounceRule {
  type:
    Extract<EventType, 'bounce' | 'deferred' | 'dropped' | 'complaint' | 'unsubscribe'> | 'ignored';
  reason: Reason | null;
  severity: Severity | null;
  fineReason: FineReason | null;
  /** Let the classifier read `Details` for the fine reason (and, when `reason` is null, decide). */
  classify: boolean;
  /** Postmark's own description (postmark-dotnet), shown in the docs and kept with the event. */
  meaning: string;
}

const rule = (
  type: PostmarkBounceRule['type'],
  reason: Reason | null,
  severity: Severity | null,
  fineReason: FineReason | null,
  classify: boolean,
  meaning: string,
): PostmarkBounceRule => ({ type, reason, severity, fineReason, classify, meaning });

export const POSTMARK_BOUNCE_TYPES: Readonly<
  Record<string, PostmarkBounceRule & { code: number }>
> = {
  HardBounce: {
    code: 1,
    ...rule('bounce', 'hard_bounce', 'hard', null, true, 'unknown user, mailbox not found'),
  },
  Transient: {
    code: 2,
    ...rule('deferred', null, 'soft', null, true, 'delayed, temporarily undeliverable'),
  },
  Unsubscribe: {
    code: 16,
    ...rule('unsubscribe', 'unsubscribe', null, null, false, 'unsubscribe or remove request'),
  },
  Subscribe: { code: 32, ...rule('ignored', null, null, null, false, 'subscribe request') },
  AutoResponder: { code: 64, ...rule('ignored', null, null, 'vacation', false, 'automatic reply') },
  AddressChange: {
    code: 128,
    ...rule('ignored', null, null, 'hasmoved', false, 'address change request'),
  },
  DnsError: {
    code: 256,
    ...rule('deferred', null, 'soft', 'networkerror', false, 'temporary DNS error'),
  },
  SpamNotification: {
    code: 512,
    ...rule(
      'bounce',
      null,
      'soft',
      'spamdetected',
      false,
      'blocked or classified as spam by the receiver',
    ),
  },
  OpenRelayTest: { code: 1024, ...rule('ignored', null, null, null, false, 'open relay test') },
  Unknown: { code: 2048, ...rule('bounce', null, null, null, true, 'unable to classify') },
  SoftBounce: {
    code: 4096,
    ...rule('bounce', 'soft_bounce', 'soft', null, true, 'mailbox full, account disabled, quota'),
  },
  VirusNotification: {
    code: 8192,
    ...rule('bounce', null, 'soft', 'virusdetected', false, 'virus warning'),
  },
  ChallengeVerification: {
    code: 16384,
    ...rule('ignored', null, null, null, false, 'challenge-response request'),
  },
  BadEmailAddress: {
    code: 100000,
    ...rule('dropped', 'hard_bounce', 'hard', 'syntaxerror', false, 'not a valid email address'),
  },
  SpamComplaint: {
    code: 100001,
    ...rule(
      'complaint',
      'spam_complaint',
      null,
      'feedback',
      false,
      'marked as spam by the recipient',
    ),
  },
  ManuallyDeactivated: {
    code: 100002,
    ...rule('dropped', 'manual', null, 'suppressed', false, 'manually deactivated in Postmark'),
  },
  Unconfirmed: {
    code: 100003,
    ...rule('dropped', null, null, null, false, 'registration not confirmed'),
  },
  Blocked: {
    code: 100006,
    ...rule('bounce', null, 'soft', 'blocked', false, 'ISP block (content or blacklisting)'),
  },
  SMTPApiError: {
    code: 100007,
    ...rule(
      'dropped',
      null,
      null,
      'systemerror',
      false,
      'error accepting the message via the SMTP API',
    ),
  },
  InboundError: {
    code: 100008,
    ...rule('ignored', null, null, null, false, 'inbound processing failed'),
  },
  DMARCPolicy: {
    code: 100009,
    ...rule('bounce', null, 'soft', 'authfailure', false, 'rejected by DMARC policy'),
  },
  TemplateRenderingFailed: {
    code: 100010,
    ...rule('dropped', null, null, 'systemerror', false, 'template rendering failed'),
  },
};

const BY_CODE: ReadonlyMap<number, string> = new Map(
  Object.entries(POSTMARK_BOUNCE_TYPES).map(([name, r]) => [r.code, name]),
);

/** The rule for a record's `Type`, falling back on `TypeCode` when the name is unknown. */
export function postmarkBounceRule(
  type: string | null,
  typeCode: unknown,
): { name: string; rule: PostmarkBounceRule } | null {
  if (type !== null && Object.hasOwn(POSTMARK_BOUNCE_TYPES, type))
    return { name: type, rule: POSTMARK_BOUNCE_TYPES[type]! };
  const byCode = typeof typeCode === 'number' ? BY_CODE.get(typeCode) : undefined;
  return byCode ? { name: byCode, rule: POSTMARK_BOUNCE_TYPES[byCode]! } : null;
}
