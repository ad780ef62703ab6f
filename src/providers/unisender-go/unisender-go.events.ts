import type { BatchItem } from '../types.js';
import { maskAddress, normaliseEmail } from '../../core/address.js';
import { classificationOf, type FineReason } from '../../core/classify.js';
import { makeEvent, type EventType, type NormalisedEvent, type Reason } from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import { bounceFields } from '../shared/email-bounce.js';
import { compact, str, utcEpochMs } from '../shared/fields.js';
import { isObject } from '../shared/json-body.js';
import type { WebhookRequest } from '../types.js';

type Json = Record<string, unknown>;
export type UnisenderItem = BatchItem;

/** §4.3 `status` values. */
const STATUS: Readonly<Record<string, EventType>> = {
  sent: 'processed',
  delivered: 'delivered',
  opened: 'open',
  clicked: 'click',
  unsubscribed: 'unsubscribe',
  subscribed: 'resubscribe',
  spam: 'complaint',
  // A temporary failure Unisender Go retries (anymail: deferred); the final outcome follows.
  soft_bounced: 'deferred',
  hard_bounced: 'bounce',
};

/** §4.4: `hard_bounced` that means "not sent, already on Unisender Go's list". */
const SUPPRESSED: Readonly<Record<string, Reason>> = {
  err_unsubscribed: 'unsubscribe',
  err_spam_skipped: 'spam_complaint',
  err_blacklisted: 'hard_bounce',
};

/**
 * §4.4 `delivery_info.delivery_status` codes that name a reason (meanings from anymail's mapping,
 * [unverified] against Unisender Go's own definitions); others go to the text classifier.
 */
const DELIVERY_STATUS: Readonly<Record<string, { fine: FineReason; permanent: boolean }>> = {
  err_user_unknown: { fine: 'userunknown', permanent: true },
  err_user_inactive: { fine: 'userunknown', permanent: true },
  err_mailbox_discarded: { fine: 'userunknown', permanent: true },
  err_domain_inactive: { fine: 'hostunknown', permanent: true },
  err_mailbox_full: { fine: 'mailboxfull', permanent: false },
  err_will_retry: { fine: 'undefined', permanent: false },
  err_destination_misconfigured: { fine: 'systemerror', permanent: false },
  err_lost: { fine: 'undefined', permanent: false },
  err_spam_rejected: { fine: 'spamdetected', permanent: true },
  err_too_large: { fine: 'emailtoolarge', permanent: true },
  err_skip_letter: { fine: 'rejected', permanent: true },
};

function bounce(
  status: string,
  deliveryStatus: string | null,
  response: string | null,
): Partial<NormalisedEvent> {
  const suppressed = deliveryStatus !== null ? SUPPRESSED[deliveryStatus] : undefined;
  if (suppressed)
    return {
      type: 'dropped',
      reason: suppressed,
      severity: 'hard',
      fineReason: 'suppressed',
      diagnostic: response,
    };
  const hard = status === 'hard_bounced';
  const fields = bounceFields(response, hard ? 'hard' : 'soft');
  const textProvesDead =
    fields.reason === 'hard_bounce' && !['undefined', 'onhold'].includes(fields.fineReason);
  if (textProvesDead) return fields;
  const known = deliveryStatus !== null ? DELIVERY_STATUS[deliveryStatus] : undefined;
  if (known) {
    const c = classificationOf(known.fine, known.permanent, known.permanent ? 'hard' : 'soft');
    return { ...fields, fineReason: c.fineReason, severity: c.severity, reason: c.suppression };
  }
  // `err_delivery_failed` says little: soft unless the remote reply is a 5xx (§4.4).
  if (deliveryStatus === 'err_delivery_failed' && fields.smtpCode?.startsWith('5') !== true) {
    const c = classificationOf(fields.fineReason, false, 'soft');
    return { ...fields, fineReason: c.fineReason, severity: c.severity, reason: c.suppression };
  }
  return fields;
}

/** One `events_by_user[].events[]` entry → its event, a skip or an item error. */
export function mapUnisenderGoEvent(raw: unknown, user: Json, req: WebhookRequest): UnisenderItem {
  if (!isObject(raw)) return { kind: 'error', error: 'event is not an object' };
  const name = str(raw.event_name);
  // `transactional_spam_block` is about a sending domain, not a recipient.
  if (name !== 'transactional_email_status')
    return {
      kind: 'skip',
      reason: `Unisender Go ${name?.slice(0, 40) ?? '(no event_name)'} is not used`,
    };
  const d = isObject(raw.event_data) ? raw.event_data : null;
  if (d === null) return { kind: 'error', error: 'missing event_data' };
  const status = str(d.status);
  const type = status !== null && Object.hasOwn(STATUS, status) ? STATUS[status] : undefined;
  if (status === null || type === undefined)
    return {
      kind: 'skip',
      reason: `Unisender Go status ${status?.slice(0, 40) ?? '(none)'} is not used`,
    };
  const email = str(d.email);
  if (email === null) return { kind: 'error', error: 'missing email' };
  const address = normaliseEmail(email);
  if (!address.ok) return { kind: 'error', error: `email ${maskAddress(email)} is invalid` };
  const info = isObject(d.delivery_info) ? d.delivery_info : {};
  const deliveryStatus = str(info.delivery_status);
  const response = str(info.destination_response);
  const metadata = isObject(d.metadata) ? d.metadata : {};
  const fields: Partial<NormalisedEvent> =
    type === 'bounce'
      ? bounce(status, deliveryStatus, response)
      : type === 'deferred'
        ? { diagnostic: response }
        : {
            reason:
              type === 'complaint'
                ? 'spam_complaint'
                : type === 'unsubscribe'
                  ? 'unsubscribe'
                  : null,
          };
  const event = makeEvent({
    type,
    channel: 'email',
    address: address.address,
    occurredAt: utcEpochMs(d.event_time, req.receivedAt),
    // §4.4: no event id; these fields together name one status change.
    dedupKey: dedupHash(
      'unisender-go',
      str(d.job_id),
      email.toLowerCase(),
      status,
      str(d.event_time),
      deliveryStatus,
      str(d.url),
    ),
    providerMessageId: str(d.job_id),
    campaign: str(metadata.campaign) ?? str(metadata.campaign_id),
    ...fields,
    details: compact({
      status,
      deliveryStatus,
      projectId: str(user.project_id),
      userId: str(user.user_id),
      url: str(d.url),
      comment: str(d.comment),
      account: req.params.account,
    }),
  });
  return { kind: 'event', event };
}
