import { makeEvent, type NormalisedEvent } from '../core/events.js';
import { classificationOf, isPermanent } from '../core/classify.js';
import { dedupHash } from '../core/hash.js';
import type { ParsedBounceMail } from './parse.js';
import type { BounceMailRecipient } from './recipient.js';

export interface ToEventsContext {
  /** Epoch ms when Bouncer received the mail; used when the report carries no date. */
  receivedAt: number;
  /** Provider label for the events' details (e.g. `bounce-mail`, `imap:support`). */
  provider?: string;
}

/** ARF feedback types that mean "stop sending me this" rather than "this is spam". */
const UNSUBSCRIBE_FEEDBACK = new Set(['opt-out', 'unsubscribe']);

/**
 * Failures become events: hard/soft → `bounce` (suppression reason from the shared classifier:
 * hard_bounce, soft_bounce, or null for sender-side failures such as blocks and spam filters),
 * `delayed` → `deferred`, complaints → `complaint` (spam_complaint), except ARF `opt-out` /
 * `unsubscribe` reports, which are the subscriber asking to leave and become `unsubscribe`
 * events (RFC 5965 §7.3 registers opt-out as "a request to be removed"). Auto-replies and
 * delivered notices produce nothing.
 */
export function bounceMailToEvents(
  parsed: ParsedBounceMail,
  ctx: ToEventsContext,
): NormalisedEvent[] {
  const reportKey = parsed.messageId ?? parsed.rawHash;
  const events: NormalisedEvent[] = [];
  for (const r of parsed.recipients) {
    const event = toEvent(r, reportKey, ctx);
    if (event) events.push(event);
  }
  return events;
}

function toEvent(
  r: BounceMailRecipient,
  reportKey: string,
  ctx: ToEventsContext,
): NormalisedEvent | null {
  if (r.severity === 'none') return null;
  const common = {
    channel: 'email' as const,
    address: r.recipient,
    occurredAt: r.occurredAt ?? ctx.receivedAt,
    fineReason: r.fineReason,
    smtpCode: r.smtpCode,
    enhancedStatus: r.enhancedStatus,
    diagnostic: r.diagnostic,
    providerMessageId: r.originalMessageId,
    campaign: r.originalHeaders['x-campaign-id'] ?? r.originalHeaders['x-campaign'] ?? null,
    details: {
      source: ctx.provider ?? 'bounce-mail',
      ...(r.remoteMta ? { remoteMta: r.remoteMta } : {}),
      ...(r.feedbackType ? { feedbackType: r.feedbackType } : {}),
      ...(r.action ? { action: r.action } : {}),
    },
  };
  if (r.severity === 'complaint') {
    const unsubscribe = UNSUBSCRIBE_FEEDBACK.has(r.feedbackType ?? '');
    return makeEvent({
      ...common,
      type: unsubscribe ? 'unsubscribe' : 'complaint',
      reason: unsubscribe ? 'unsubscribe' : 'spam_complaint',
      severity: null,
      dedupKey: dedupHash(reportKey, r.recipient, 'complaint', r.feedbackType),
    });
  }
  const c = classificationOf(
    r.fineReason,
    isPermanent({ enhancedStatus: r.enhancedStatus, smtpCode: r.smtpCode }),
  );
  const delayed = r.action === 'delayed';
  return makeEvent({
    ...common,
    type: delayed ? 'deferred' : 'bounce',
    reason: delayed ? null : c.suppression,
    severity: delayed ? 'soft' : r.severity === 'hard' ? 'hard' : 'soft',
    dedupKey: dedupHash(reportKey, r.recipient, r.action, r.enhancedStatus ?? r.fineReason),
  });
}
