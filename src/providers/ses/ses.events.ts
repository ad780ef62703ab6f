import { jsonTooDeep, MAX_JSON_DEPTH } from '../../core/json-depth.js';
import { classifyBounce, type BounceClassification } from '../../core/classify.js';
import { ParseError } from '../../core/errors.js';
import { enhancedStatusOf, smtpCodeOf, stripDiagnosticType } from '../shared/diagnostic.js';
import {
  arrayOf,
  isObject,
  recipientEvents,
  str,
  timeOf,
  type Built,
  type Json,
  type SesMessageContext,
  type SesTransport,
} from './ses.common.js';
import { subscriptionChanges } from './ses.subscription.js';
import type { AdapterResult } from '../types.js';

/**
 * The SES JSON inside an SNS Notification's `Message` (spec A §3.11 feedback notifications with
 * `notificationType`, §3.12 event publishing with `eventType`) → normalised events.
 */

// SES already refused to send because the address is on a suppression list (§3.11): the address
// has bounced hard before, whatever the (generic) diagnostic says.
const SES_SUPPRESSED_SUBTYPES = new Set([
  'Suppressed',
  'OnAccountSuppressionList',
  'OnTenantSuppressionList',
  'EmailValidationSuppressed',
]);
// Transient subtypes caused by the message rather than the mailbox (§3.11: "sender-side").
const SES_SENDER_SIDE_SUBTYPES: Readonly<Record<string, BounceClassification['fineReason']>> = {
  MessageTooLarge: 'emailtoolarge',
  ContentRejected: 'contenterror',
  AttachmentRejected: 'contenterror',
};

/** An SES bounce verdict; Resend's bounce object is SES's (spec B §4.4), so it is shared. */
export function classifySesBounce(
  bounceType: string | null,
  subType: string | null,
  status: string | null,
  text: string | null,
): BounceClassification {
  if (subType !== null && SES_SUPPRESSED_SUBTYPES.has(subType)) {
    return { fineReason: 'suppressed', severity: 'hard', suppression: 'hard_bounce' };
  }
  // SES's verdict is the provider hint: Permanent → hard; Transient and Undetermined → soft.
  const providerSeverity = bounceType === 'Permanent' ? 'hard' : 'soft';
  const result = classifyBounce({
    enhancedStatus: status,
    smtpCode: smtpCodeOf(text),
    diagnostic: text,
    providerSeverity,
  });
  const senderSide = subType !== null ? SES_SENDER_SIDE_SUBTYPES[subType] : undefined;
  if (senderSide && (result.fineReason === 'undefined' || result.fineReason === 'onhold')) {
    return { fineReason: senderSide, severity: 'soft', suppression: null };
  }
  return result;
}

function bounceEvents(ctx: SesMessageContext, bounce: Json): Built {
  const bounceType = str(bounce.bounceType);
  const subType = str(bounce.bounceSubType);
  const feedbackId = str(bounce.feedbackId);
  const occurredAt = timeOf(bounce.timestamp, ctx.fallbackAt);
  return recipientEvents(ctx, arrayOf(bounce, 'bouncedRecipients', 'bounce'), (r) => {
    const rec = isObject(r) ? r : {};
    const diagnostic = stripDiagnosticType(str(rec.diagnosticCode));
    const enhancedStatus = enhancedStatusOf(str(rec.status), diagnostic);
    const c = classifySesBounce(bounceType, subType, enhancedStatus, diagnostic);
    return {
      raw: rec.emailAddress,
      occurredAt,
      feedbackId,
      fields: {
        type: 'bounce',
        reason: c.suppression,
        severity: c.severity,
        fineReason: c.fineReason,
        smtpCode: smtpCodeOf(diagnostic),
        enhancedStatus,
        diagnostic,
        details: {
          bounceType,
          bounceSubType: subType,
          feedbackId,
          action: str(rec.action),
          reportingMTA: str(bounce.reportingMTA),
        },
      },
    };
  });
}

function complaintEvents(ctx: SesMessageContext, complaint: Json): Built {
  const feedbackType = str(complaint.complaintFeedbackType);
  const feedbackId = str(complaint.feedbackId);
  // §3.11: a `not-spam` feedback report is the opposite of a complaint.
  const reason = feedbackType?.toLowerCase() === 'not-spam' ? null : 'spam_complaint';
  const details = {
    feedbackId,
    complaintFeedbackType: feedbackType,
    complaintSubType: str(complaint.complaintSubType),
    userAgent: str(complaint.userAgent),
  };
  return recipientEvents(ctx, arrayOf(complaint, 'complainedRecipients', 'complaint'), (r) => ({
    raw: isObject(r) ? r.emailAddress : undefined,
    occurredAt: timeOf(complaint.timestamp, ctx.fallbackAt),
    feedbackId,
    fields: { type: 'complaint', reason, details },
  }));
}

function deliveryEvents(ctx: SesMessageContext, delivery: Json): Built {
  const details = {
    smtpResponse: str(delivery.smtpResponse),
    reportingMTA: str(delivery.reportingMTA),
  };
  return recipientEvents(ctx, arrayOf(delivery, 'recipients', 'delivery'), (r) => ({
    raw: r,
    occurredAt: timeOf(delivery.timestamp, ctx.fallbackAt),
    feedbackId: null,
    fields: { type: 'delivered', details },
  }));
}

function delayEvents(ctx: SesMessageContext, delay: Json): Built {
  const details = { delayType: str(delay.delayType), expirationTime: str(delay.expirationTime) };
  return recipientEvents(ctx, arrayOf(delay, 'delayedRecipients', 'deliveryDelay'), (r) => {
    const rec = isObject(r) ? r : {};
    const diagnostic = stripDiagnosticType(str(rec.diagnosticCode));
    return {
      raw: rec.emailAddress,
      occurredAt: timeOf(delay.timestamp, ctx.fallbackAt),
      feedbackId: null,
      fields: {
        type: 'deferred',
        diagnostic,
        smtpCode: smtpCodeOf(diagnostic),
        enhancedStatus: enhancedStatusOf(str(rec.status), diagnostic),
        details,
      },
    };
  });
}

/** Events whose recipients are `mail.destination`: informational only, never a suppression. */
function destinationEvents(
  ctx: SesMessageContext,
  type: 'processed' | 'dropped',
  obj: Json,
  diagnostic: string | null = type === 'dropped' ? str(obj.reason) : null,
  details: Json = {},
): Built {
  return recipientEvents(ctx, arrayOf(ctx.mail, 'destination', 'mail'), (r) => ({
    raw: r,
    occurredAt: timeOf(obj.timestamp, ctx.fallbackAt),
    feedbackId: null,
    fields: { type, reason: null, diagnostic, details },
  }));
}

/**
 * §3.12 `Rendering Failure`: SES could not fill the template, so the message named in `mail` was
 * never sent to its destination. Like `Reject`, a `dropped` event per recipient; the fault is the
 * template's, so no suppression.
 */
function renderingFailureEvents(ctx: SesMessageContext, failure: Json): Built {
  return destinationEvents(ctx, 'dropped', failure, str(failure.errorMessage), {
    renderingFailure: true,
    templateName: str(failure.templateName),
  });
}

/**
 * Opens and clicks name no recipient: `mail.destination` is it only when it has exactly one
 * address (with several, who clicked is unknowable).
 */
function engagementEvents(ctx: SesMessageContext, type: 'open' | 'click', obj: Json): Built {
  const destination = arrayOf(ctx.mail, 'destination', 'mail');
  if (destination.length !== 1)
    return {
      events: [],
      errors: [{ index: 0, error: `${type} on a message with ${destination.length} recipients` }],
    };
  const details = {
    ipAddress: str(obj.ipAddress),
    userAgent: str(obj.userAgent),
    link: str(obj.link),
  };
  return recipientEvents(ctx, destination, (r) => ({
    raw: r,
    occurredAt: timeOf(obj.timestamp, ctx.fallbackAt),
    feedbackId: null,
    fields: { type, details },
  }));
}

const HANDLERS: Readonly<
  Record<string, { object: string; build: (ctx: SesMessageContext, obj: Json) => Built }>
> = {
  Bounce: { object: 'bounce', build: bounceEvents },
  Complaint: { object: 'complaint', build: complaintEvents },
  Delivery: { object: 'delivery', build: deliveryEvents },
  DeliveryDelay: { object: 'deliveryDelay', build: delayEvents },
  Reject: { object: 'reject', build: (ctx, obj) => destinationEvents(ctx, 'dropped', obj) },
  'Rendering Failure': { object: 'failure', build: renderingFailureEvents },
  Send: { object: 'send', build: (ctx, obj) => destinationEvents(ctx, 'processed', obj) },
  Open: { object: 'open', build: (ctx, obj) => engagementEvents(ctx, 'open', obj) },
  Click: { object: 'click', build: (ctx, obj) => engagementEvents(ctx, 'click', obj) },
  Subscription: { object: 'subscription', build: subscriptionChanges },
};

/** `campaign`-ish message tags (event publishing), else an `X-Campaign` header when headers are included. */
function campaignOf(mail: Json): string | null {
  const tags = isObject(mail.tags) ? mail.tags : {};
  for (const [name, values] of Object.entries(tags)) {
    if (/campaign/i.test(name) && Array.isArray(values) && typeof values[0] === 'string')
      return values[0];
  }
  const headers = Array.isArray(mail.headers) ? mail.headers : [];
  for (const h of headers) {
    if (isObject(h) && typeof h.name === 'string' && /^x-campaign(-id)?$/i.test(h.name))
      return str(h.value);
  }
  return null;
}

function contextOf(transport: SesTransport, mail: Json, fallbackAt: number): SesMessageContext {
  const tags = isObject(mail.tags) ? mail.tags : {};
  const configurationSet = tags['ses:configuration-set'];
  const commonHeaders = isObject(mail.commonHeaders) ? mail.commonHeaders : {};
  const details: Json =
    transport.kind === 'sns' ? { snsMessageId: transport.id } : { eventBridgeId: transport.id };
  if (Array.isArray(configurationSet) && typeof configurationSet[0] === 'string')
    details.configurationSet = configurationSet[0];
  if (str(commonHeaders.messageId) !== null) details.messageIdHeader = commonHeaders.messageId;
  return {
    transport,
    mail,
    providerMessageId: str(mail.messageId),
    campaign: campaignOf(mail),
    details,
    fallbackAt: timeOf(mail.timestamp, fallbackAt),
  };
}

/**
 * Maps one SES record (feedback notification or event publishing), whichever transport brought
 * it: SNS and EventBridge share every table and rule from here on.
 */
export function mapSesRecord(
  body: unknown,
  transport: SesTransport,
  fallbackAt: number,
): AdapterResult {
  if (!isObject(body)) return { kind: 'ignored', reason: 'not an SES event' };
  const type = str(body.notificationType) ?? str(body.eventType);
  if (type === null) return { kind: 'ignored', reason: 'not an SES event' };
  const handler = Object.hasOwn(HANDLERS, type) ? HANDLERS[type] : undefined;
  if (!handler) return { kind: 'ignored', reason: `SES ${type} is not used` };
  if (!isObject(body.mail)) throw new ParseError(`SES ${type} has no mail object`);
  const obj = body[handler.object];
  if (!isObject(obj)) throw new ParseError(`SES ${type} has no ${handler.object} object`);
  const { events, errors } = handler.build(contextOf(transport, body.mail, fallbackAt), obj);
  return { kind: 'events', events, errors };
}

/** Maps the `Message` of a verified SNS Notification: a JSON string holding the SES record. */
export function mapSesMessage(
  message: string,
  snsMessageId: string,
  fallbackAt: number,
): AdapterResult {
  if (jsonTooDeep(message))
    throw new ParseError(`SES message nests deeper than ${MAX_JSON_DEPTH} levels`);
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    // §3.12: "Successfully validated SNS topic for Amazon SES event publishing." is plain text.
    return { kind: 'ignored', reason: 'SNS notification is not JSON (SES setup notice)' };
  }
  const result = mapSesRecord(body, { kind: 'sns', id: snsMessageId }, fallbackAt);
  if (result.kind === 'ignored' && result.reason === 'not an SES event')
    return { kind: 'ignored', reason: 'SNS notification is not an SES event' };
  return result;
}
