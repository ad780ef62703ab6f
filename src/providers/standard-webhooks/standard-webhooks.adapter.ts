import { AppError } from '../../core/errors.js';
import { createGenericAdapter } from '../generic/generic.adapter.js';
import { parseJsonBody } from '../shared/json-body.js';
import type {
  AdapterResult,
  ParseContext,
  ProviderAdapter,
  VerifyResult,
  WebhookRequest,
} from '../types.js';
import { secretKeyBytes, type StandardFormat } from './standard-webhooks.config.js';
import { verifyStandardWebhook } from './standard-webhooks-signature.js';
import { mapLoopsEvent } from './loops.events.js';
import { mapResendEvent, type StandardParsed } from './resend.events.js';

export interface StandardWebhooksAdapterOptions {
  /** Stored as the events' provider (`resend`, or the configured sender name). */
  name: string;
  format: StandardFormat;
  secrets: readonly string[];
  toleranceSeconds: number;
}

const MAPPERS: Readonly<
  Record<
    Exclude<StandardFormat, 'generic'>,
    (body: unknown, id: string, at: number) => StandardParsed
  >
> = { resend: mapResendEvent, loops: mapLoopsEvent };

/** Verification needs no I/O, so `verify` is synchronous. */
export interface StandardWebhooksAdapter extends ProviderAdapter {
  verify(req: WebhookRequest): VerifyResult;
}

export function createStandardWebhooksAdapter(
  opts: StandardWebhooksAdapterOptions,
): StandardWebhooksAdapter {
  const keys = opts.secrets.map((s) => {
    const key = secretKeyBytes(s);
    if (key === null) throw new AppError('BOUNCER_ERR_CONFIG', `${opts.name}: not a whsec_ secret`);
    return key;
  });
  if (keys.length === 0)
    throw new AppError('BOUNCER_ERR_CONFIG', `${opts.name}: at least one secret is required`);
  const generic = createGenericAdapter();

  return {
    name: opts.name,
    verify(req: WebhookRequest): VerifyResult {
      if (req.rawBody.length === 0) return { ok: false, reason: 'empty body' };
      return verifyStandardWebhook(req, keys, opts.toleranceSeconds);
    },
    parse(req: WebhookRequest, ctx: ParseContext): AdapterResult {
      // Bouncer's own event format, signed by any Standard Webhooks sender (docs/providers/generic.md).
      if (opts.format === 'generic') return generic.parse(req, ctx);
      // The worker parses the stored delivery, which keeps the id but not the signature.
      const id = req.headers['webhook-id'] ?? req.headers['svix-id'] ?? '';
      // No event id in the body (§4.4): the message id, identical across retries, is the key.
      const result = MAPPERS[opts.format](parseJsonBody(req.rawBody), id, req.receivedAt);
      return result.kind === 'skip' ? { kind: 'ignored', reason: result.reason } : result;
    },
  };
}
