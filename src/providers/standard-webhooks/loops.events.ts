import { GLOBAL_SCOPE } from '../../core/events.js';
import { isObject, toEpochMs } from '../shared/json-body.js';
import { perRecipient, type StandardParsed } from './resend.events.js';

/** Loops' events (spec §9.2: `eventName`, `eventTime`, `contactIdentity.email`). */
type Fields = Parameters<typeof perRecipient>[2];
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

const FIELDS: Readonly<Record<string, Fields>> = {
  'email.delivered': { type: 'delivered' },
  'email.softBounced': { type: 'bounce', reason: 'soft_bounce', severity: 'soft' },
  'email.hardBounced': { type: 'bounce', reason: 'hard_bounce', severity: 'hard' },
  'email.spamReported': { type: 'complaint', reason: 'spam_complaint', fineReason: 'feedback' },
  'email.unsubscribed': { type: 'unsubscribe', reason: 'unsubscribe' },
  'contact.unsubscribed': { type: 'unsubscribe', reason: 'unsubscribe' },
  'email.opened': { type: 'open' },
  'email.clicked': { type: 'click' },
  'campaign.email.sent': { type: 'processed' },
  'loop.email.sent': { type: 'processed' },
  'transactional.email.sent': { type: 'processed' },
};

export function mapLoopsEvent(
  body: unknown,
  messageId: string,
  receivedAt: number,
): StandardParsed {
  if (!isObject(body)) return { kind: 'skip', reason: 'body is not a JSON object' };
  const name = str(body.eventName);
  if (name === null) return { kind: 'skip', reason: 'no eventName' };
  const contact = isObject(body.contactIdentity) ? body.contactIdentity : {};
  const ctx = { messageId, type: name, occurredAt: toEpochMs(body.eventTime, receivedAt) };
  const campaign = str(body.campaignId) ?? str(body.loopId) ?? str(body.transactionalId);
  const details = { eventType: name, sourceType: str(body.sourceType) };
  if (name === 'contact.mailingList.unsubscribed') {
    // A mailing-list unsubscribe concerns that list only.
    const list = isObject(body.mailingList)
      ? (str(body.mailingList.id) ?? str(body.mailingList.name))
      : null;
    return perRecipient([contact.email], ctx, {
      type: 'unsubscribe',
      reason: 'unsubscribe',
      scope: list === null ? GLOBAL_SCOPE : `loops-list:${list}`,
      details,
    });
  }
  const fields = Object.hasOwn(FIELDS, name) ? FIELDS[name] : undefined;
  if (!fields) return { kind: 'skip', reason: `unused Loops event ${name}` };
  return perRecipient([contact.email], ctx, { ...fields, campaign, details });
}
