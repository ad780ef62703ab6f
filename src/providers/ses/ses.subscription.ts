import { GLOBAL_SCOPE } from '../../core/events.js';
import {
  isObject,
  recipientEvents,
  str,
  timeOf,
  type Built,
  type Json,
  type SesMessageContext,
} from './ses.common.js';

/**
 * SES list management (`eventType: Subscription`, spec A §3.12/§3.13): a recipient changed their
 * preferences for a contact list, e.g. through the List-Unsubscribe header.
 */

type Change = { type: 'unsubscribe' | 'resubscribe'; scope: string };

function topicStatuses(prefs: Json): Map<string, string> {
  const out = new Map<string, string>();
  const list = Array.isArray(prefs.topicSubscriptionStatus) ? prefs.topicSubscriptionStatus : [];
  for (const t of list) {
    if (
      isObject(t) &&
      typeof t.topicName === 'string' &&
      typeof t.subscriptionStatus === 'string'
    ) {
      out.set(t.topicName, t.subscriptionStatus);
    }
  }
  return out;
}

/**
 * `unsubscribeAll` → a global unsubscribe (no need to list topics); otherwise every topic now
 * `OptOut` is a topic-scoped unsubscribe (idempotent to repeat), and leaving `unsubscribeAll` or a
 * topic's `OptOut` is a resubscribe for that scope.
 */
export function preferenceChanges(newPrefs: Json, oldPrefs: Json): Change[] {
  if (newPrefs.unsubscribeAll === true) return [{ type: 'unsubscribe', scope: GLOBAL_SCOPE }];
  const changes: Change[] = [];
  if (oldPrefs.unsubscribeAll === true) changes.push({ type: 'resubscribe', scope: GLOBAL_SCOPE });
  const before = topicStatuses(oldPrefs);
  for (const [topic, status] of topicStatuses(newPrefs)) {
    if (status === 'OptOut') changes.push({ type: 'unsubscribe', scope: topic });
    else if (status === 'OptIn' && before.get(topic) === 'OptOut')
      changes.push({ type: 'resubscribe', scope: topic });
  }
  return changes;
}

/**
 * The event names no recipient of its own: the contact is the message's single destination
 * (with several, whose preference changed is unknowable, so nothing is suppressed).
 */
export function subscriptionChanges(ctx: SesMessageContext, sub: Json): Built {
  const destination = Array.isArray(ctx.mail.destination) ? ctx.mail.destination : [];
  if (destination.length !== 1) {
    return {
      events: [],
      errors: [
        {
          index: 0,
          error: `subscription change on a message with ${destination.length} recipients`,
        },
      ],
    };
  }
  const changes = preferenceChanges(
    isObject(sub.newTopicPreferences) ? sub.newTopicPreferences : {},
    isObject(sub.oldTopicPreferences) ? sub.oldTopicPreferences : {},
  );
  const details = { contactList: str(sub.contactList), source: str(sub.source) };
  const occurredAt = timeOf(sub.timestamp, ctx.fallbackAt);
  const out: Built = { events: [], errors: [] };
  for (const change of changes) {
    const built = recipientEvents(ctx, destination, (r) => ({
      raw: r,
      occurredAt,
      feedbackId: null,
      fields: {
        type: change.type,
        scope: change.scope,
        reason: change.type === 'unsubscribe' ? 'unsubscribe' : null,
        details: { ...details, topic: change.scope === GLOBAL_SCOPE ? null : change.scope },
      },
    }));
    out.events.push(...built.events);
    if (out.errors.length === 0) out.errors.push(...built.errors);
  }
  return out;
}
