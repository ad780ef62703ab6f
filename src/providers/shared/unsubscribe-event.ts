import { makeEvent, type NormalisedEvent } from '../../core/events.js';
import { dedupHash } from '../../core/hash.js';
import type { UnsubscribeClaims } from '../../core/unsubscribe-token.js';

/** How the recipient asked: the one-click POST, the preference page, or a mail to the mailto:. */
export type UnsubscribeVia = 'one-click' | 'preferences' | 'mailto';

/**
 * The `unsubscribe` event a verified token produces. One per token and scope: a second click (or
 * a scanner replaying the POST) is the same event, not a new one.
 */
export function unsubscribeEvent(
  claims: UnsubscribeClaims,
  scope: string,
  receivedAt: number,
  via: UnsubscribeVia,
): NormalisedEvent {
  return makeEvent({
    type: 'unsubscribe',
    channel: claims.channel,
    address: claims.address,
    scope,
    reason: 'unsubscribe',
    occurredAt: receivedAt,
    campaign: claims.campaign,
    dedupKey: dedupHash('unsubscribe', claims.channel, claims.address, scope, claims.issuedAt),
    details: { via, issuedAt: claims.issuedAt },
  });
}
