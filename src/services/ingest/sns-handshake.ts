import type { HandshakeHandler } from './ingest.js';
import { confirmSnsSubscription, type FetchLike } from './sns-certificates.js';

/**
 * The SES endpoint's handshake steps (spec A §3.10): confirm a verified SubscriptionConfirmation
 * by visiting its SubscribeURL; only log an UnsubscribeConfirmation. Register it as the `ses`
 * entry of `createHandshakeHandler(logger, { ses: … })`.
 *
 * A refused confirmation throws `BOUNCER_ERR_VALIDATION` (a 4xx: SNS does not retry it); SNS
 * being unreachable throws `BOUNCER_ERR_UNAVAILABLE` (a 503: SNS redelivers the confirmation).
 */
export function createSnsHandshakeHandler(opts: {
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  fetch?: FetchLike;
}): HandshakeHandler {
  return async (action, endpoint) => {
    if (action.type === 'log') {
      opts.logger.info({ endpoint: endpoint.id, topicArn: action.topicArn }, action.message);
      return action.message;
    }
    let subscriptionArn: string | null;
    try {
      ({ subscriptionArn } = await confirmSnsSubscription(action.subscribeUrl, opts.fetch));
    } catch (err) {
      // The URL is what an operator pastes into the SNS console ("Confirm subscription") when
      // this host cannot reach SNS; it is only ever logged for an allowed, verified topic.
      opts.logger.warn(
        {
          endpoint: endpoint.id,
          topicArn: action.topicArn,
          subscribeUrl: action.subscribeUrl,
          err,
        },
        'SNS subscription confirmation failed',
      );
      throw err;
    }
    const note = `confirmed SNS subscription to ${action.topicArn}${subscriptionArn ? ` (${subscriptionArn})` : ''}`;
    opts.logger.info({ endpoint: endpoint.id, topicArn: action.topicArn, subscriptionArn }, note);
    return note;
  };
}
