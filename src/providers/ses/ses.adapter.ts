import { AppError, ParseError } from '../../core/errors.js';
import { mapSesMessage } from './ses.events.js';
import {
  parseSnsEnvelope,
  parseTopicArn,
  validateSubscribeUrl,
  verifySnsEnvelope,
  type SnsCertificateSource,
  type SnsEnvelope,
} from './sns-signature.js';
import type { AdapterResult, ProviderAdapter, VerifyResult, WebhookRequest } from '../types.js';

export interface SesAdapterOptions {
  /**
   * SNS topics Bouncer accepts (`BOUNCER_SES_TOPIC_ARNS`, required). AWS: "reject any message
   * with an unexpected TopicArn"; a message from any other topic fails verification, so a
   * stranger's topic can never be confirmed nor feed suppressions.
   */
  topicArns: readonly string[];
  /** Signing certificates: fetched from AWS (and cached) or fixed files (`BOUNCER_SNS_CERT_FILES`). */
  certificates: SnsCertificateSource;
}

export interface SesAdapter extends ProviderAdapter {
  /**
   * Resolves `{ ok: false }` for anything that is not a genuine message of an allowed topic.
   * Rejects only when the certificate source cannot answer (e.g. AWS unreachable): answer 503
   * then, since SNS never retries a 4xx (spec A §3.14).
   */
  verify(req: WebhookRequest): Promise<VerifyResult>;
}

function envelopeOf(req: WebhookRequest): SnsEnvelope {
  const parsed = parseSnsEnvelope(req.rawBody);
  if (!parsed.ok) throw new ParseError(`SNS message: ${parsed.reason}`);
  return parsed.envelope;
}

function handshake(envelope: SnsEnvelope): AdapterResult {
  const topicArn = envelope.TopicArn;
  if (envelope.Type === 'UnsubscribeConfirmation') {
    // §3.10: informational; visiting its SubscribeURL would re-subscribe, so it is never visited.
    return {
      kind: 'handshake',
      action: { type: 'log', message: `SNS subscription to ${topicArn} was deactivated`, topicArn },
    };
  }
  const subscribeUrl = envelope.SubscribeURL ?? '';
  const url = validateSubscribeUrl(subscribeUrl, topicArn);
  if (!url.ok)
    return { kind: 'ignored', reason: `SubscriptionConfirmation not confirmed: ${url.reason}` };
  return { kind: 'handshake', action: { type: 'confirm-subscription', subscribeUrl, topicArn } };
}

export function createSesAdapter(opts: SesAdapterOptions): SesAdapter {
  if (opts.topicArns.length === 0)
    throw new AppError(
      'BOUNCER_ERR_CONFIG',
      'BOUNCER_SES_TOPIC_ARNS: at least one SNS topic ARN is required',
    );
  for (const arn of opts.topicArns) {
    if (!parseTopicArn(arn).ok)
      throw new AppError(
        'BOUNCER_ERR_CONFIG',
        `BOUNCER_SES_TOPIC_ARNS: "${arn}" is not an SNS topic ARN`,
      );
  }
  const topics = new Set(opts.topicArns);

  return {
    name: 'ses',

    async verify(req: WebhookRequest): Promise<VerifyResult> {
      const parsed = parseSnsEnvelope(req.rawBody);
      if (!parsed.ok) return parsed;
      if (!topics.has(parsed.envelope.TopicArn))
        return { ok: false, reason: 'TopicArn is not an allowed topic' };
      // Certificate validity is judged at receipt, so a stored delivery re-verifies the same way.
      return verifySnsEnvelope(parsed.envelope, opts.certificates, req.receivedAt);
    },

    parse(req: WebhookRequest): AdapterResult {
      const envelope = envelopeOf(req);
      // Checked again here: parse may run later (worker, replay) and must never act for a foreign topic.
      if (!topics.has(envelope.TopicArn))
        return { kind: 'ignored', reason: 'TopicArn is not an allowed topic' };
      if (envelope.Type !== 'Notification') return handshake(envelope);
      const fallbackAt = Date.parse(envelope.Timestamp);
      return mapSesMessage(
        envelope.Message,
        envelope.MessageId,
        Number.isFinite(fallbackAt) ? fallbackAt : req.receivedAt,
      );
    },
  };
}
