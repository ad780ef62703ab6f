import type { Logger } from 'pino';
import type { HandshakeHandler } from './ingest.js';

/**
 * Protocol steps adapters ask for. Subscription confirmations are performed by the provider's
 * own service module when that provider is configured; unknown ones are logged and refused.
 */
export function createHandshakeHandler(
  logger: Logger,
  handlers: Partial<Record<string, HandshakeHandler>> = {},
): HandshakeHandler {
  return async (action, endpoint) => {
    const handler = handlers[endpoint.adapter.name];
    if (handler) return handler(action, endpoint);
    if (action.type === 'log') {
      logger.info({ endpoint: endpoint.id, topicArn: action.topicArn }, action.message);
      return action.message;
    }
    throw new Error(
      `${endpoint.adapter.name} asked for a ${action.type} handshake that is not supported`,
    );
  };
}
