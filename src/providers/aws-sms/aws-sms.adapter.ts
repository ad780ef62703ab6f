import { AppError, ParseError } from '../../core/errors.js';
import { verifySharedSecret, type SharedSecrets } from '../shared/credentials.js';
import { isObject, parseJsonBody } from '../shared/json-body.js';
import type { SmsCodeAction, SyncAdapter } from '../shared/sms.js';
import {
  parseSnsEnvelope,
  parseTopicArn,
  validateSubscribeUrl,
  verifySnsEnvelope,
  type SnsCertificateSource,
} from '../ses/sns-signature.js';
import type { AdapterResult, ProviderAdapter, VerifyResult, WebhookRequest } from '../types.js';
import { AWS_SMS_EVENT_ACTIONS, mapAwsSmsRecord } from './aws-sms-events.js';

export const AWS_SMS = 'aws-sms';

function actionTable(
  overrides?: Readonly<Record<string, SmsCodeAction>>,
): Record<string, SmsCodeAction> {
  return { ...AWS_SMS_EVENT_ACTIONS, ...(overrides ?? {}) };
}

export interface AwsSmsSnsOptions {
  /** SNS topics the configuration set's event destination (and two-way SMS) publish to. */
  topicArns: readonly string[];
  certificates: SnsCertificateSource;
  eventActions?: Readonly<Record<string, SmsCodeAction>>;
}

/** Events through an SNS topic (spec C §14.1): the SES path's envelope, signature and handshake. */
export function createAwsSmsSnsAdapter(opts: AwsSmsSnsOptions): ProviderAdapter {
  for (const arn of opts.topicArns)
    if (!parseTopicArn(arn).ok)
      throw new AppError(
        'BOUNCER_ERR_CONFIG',
        `BOUNCER_AWS_SMS_TOPIC_ARNS: "${arn}" is not an SNS topic ARN`,
      );
  const topics = new Set(opts.topicArns);
  const actions = actionTable(opts.eventActions);
  return {
    name: AWS_SMS,
    async verify(req: WebhookRequest): Promise<VerifyResult> {
      const parsed = parseSnsEnvelope(req.rawBody);
      if (!parsed.ok) return parsed;
      if (!topics.has(parsed.envelope.TopicArn))
        return { ok: false, reason: 'TopicArn is not an allowed topic' };
      return verifySnsEnvelope(parsed.envelope, opts.certificates, req.receivedAt);
    },
    parse(req, ctx): AdapterResult {
      const parsed = parseSnsEnvelope(req.rawBody);
      if (!parsed.ok) throw new ParseError(`SNS message: ${parsed.reason}`);
      const e = parsed.envelope;
      if (!topics.has(e.TopicArn))
        return { kind: 'ignored', reason: 'TopicArn is not an allowed topic' };
      if (e.Type === 'UnsubscribeConfirmation')
        return {
          kind: 'handshake',
          action: {
            type: 'log',
            message: `SNS subscription to ${e.TopicArn} was deactivated`,
            topicArn: e.TopicArn,
          },
        };
      if (e.Type === 'SubscriptionConfirmation') {
        const url = validateSubscribeUrl(e.SubscribeURL ?? '', e.TopicArn);
        if (!url.ok)
          return {
            kind: 'ignored',
            reason: `SubscriptionConfirmation not confirmed: ${url.reason}`,
          };
        return {
          kind: 'handshake',
          action: {
            type: 'confirm-subscription',
            subscribeUrl: e.SubscribeURL ?? '',
            topicArn: e.TopicArn,
          },
        };
      }
      let record: unknown;
      try {
        record = JSON.parse(e.Message);
      } catch {
        throw new ParseError('SNS Message is not JSON');
      }
      const fallbackAt = Date.parse(e.Timestamp);
      return mapAwsSmsRecord(
        record,
        actions,
        ctx,
        Number.isFinite(fallbackAt) ? fallbackAt : req.receivedAt,
      );
    },
  };
}

export interface AwsSmsEventBridgeOptions extends SharedSecrets {
  eventActions?: Readonly<Record<string, SmsCodeAction>>;
}

/**
 * Events through an EventBridge rule and API destination (§14.1, §7.4): no signature, only the
 * connection's credential (a URL token or Basic). The SMS record is the event's `detail`.
 */
export function createAwsSmsEventBridgeAdapter(opts: AwsSmsEventBridgeOptions): SyncAdapter {
  const actions = actionTable(opts.eventActions);
  return {
    name: AWS_SMS,
    verify: (req) => verifySharedSecret(req, opts),
    parse(req, ctx): AdapterResult {
      const body = parseJsonBody(req.rawBody);
      if (!isObject(body)) throw new ParseError('EventBridge event is not a JSON object');
      // An input transformer may deliver the bare record instead of the envelope.
      const record = isObject(body.detail) ? body.detail : body;
      const fallbackAt = typeof body.time === 'string' ? Date.parse(body.time) : NaN;
      return mapAwsSmsRecord(
        record,
        actions,
        ctx,
        Number.isFinite(fallbackAt) ? fallbackAt : req.receivedAt,
      );
    },
  };
}
