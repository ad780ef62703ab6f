import {
  DeleteSuppressedDestinationCommand,
  ListSuppressedDestinationsCommand,
  PutSuppressedDestinationCommand,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import type { ChangeEvent } from '../../core/change-events.js';
import { pushOk, type PushResult } from './provider-result.js';
import {
  PULL_PAGE_SIZE,
  type ProviderSync,
  type PulledEntry,
  type PulledPage,
} from './provider-sync.js';

export interface SesSyncSettings {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  baseUrl: string | null;
}

/** One client per settings object (the SDK signs every request with SigV4). */
const clients = new WeakMap<SesSyncSettings, SESv2Client>();

export function sesClient(cfg: SesSyncSettings): SESv2Client {
  let c = clients.get(cfg);
  if (!c) {
    c = new SESv2Client({
      region: cfg.region,
      credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey },
      ...(cfg.baseUrl ? { endpoint: cfg.baseUrl } : {}),
      // The outbox retries with its own backoff and keeps the order per address.
      maxAttempts: 1,
    });
    clients.set(cfg, c);
  }
  return c;
}

/**
 * The SES account-level suppression list (SESv2 PutSuppressedDestination /
 * DeleteSuppressedDestination). It knows two reasons, BOUNCE and COMPLAINT: complaints go as
 * COMPLAINT, every other permanent suppression as BOUNCE.
 */
export async function pushToSes(cfg: SesSyncSettings, e: ChangeEvent): Promise<PushResult> {
  const client = sesClient(cfg);
  try {
    if (e.type === 'suppression.added')
      await client.send(
        new PutSuppressedDestinationCommand({
          EmailAddress: e.data.address,
          Reason: e.data.reason === 'spam_complaint' ? 'COMPLAINT' : 'BOUNCE',
        }),
      );
    else
      await client.send(new DeleteSuppressedDestinationCommand({ EmailAddress: e.data.address }));
    return pushOk(200);
  } catch (err) {
    const x = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = x.$metadata?.httpStatusCode ?? null;
    if (e.type === 'suppression.removed' && (x.name === 'NotFoundException' || status === 404))
      return pushOk(404);
    return {
      ok: false,
      status,
      error: `SES ${x.name ?? 'error'}${status === null ? '' : ` (HTTP ${status})`}: ${String(x.message ?? err).slice(0, 300)}`,
      retryAfterMs: null,
    };
  }
}

/** SES: ListSuppressedDestinations, paged by NextToken, incremental through StartDate. */
export interface SesCursor {
  nextToken: string | null;
  startDate: number;
}

export async function pullSesPage(
  cfg: SesSyncSettings,
  c: SesCursor,
): Promise<PulledPage<SesCursor>> {
  const out = await sesClient(cfg).send(
    new ListSuppressedDestinationsCommand({
      StartDate: new Date(c.startDate),
      PageSize: PULL_PAGE_SIZE,
      ...(c.nextToken ? { NextToken: c.nextToken } : {}),
    }),
  );
  const entries = (out.SuppressedDestinationSummaries ?? []).map((s): PulledEntry => ({
    address: s.EmailAddress ?? '',
    reason: s.Reason === 'COMPLAINT' ? 'spam_complaint' : 'hard_bounce',
    at: s.LastUpdateTime ? s.LastUpdateTime.getTime() : 0,
  }));
  return {
    entries: entries.filter((e) => e.address),
    next: out.NextToken ? { ...c, nextToken: out.NextToken } : null,
  };
}

export const sesSync = (cfg: SesSyncSettings): ProviderSync => ({
  push: (e) => pushToSes(cfg, e),
  pull: {
    first: (since): SesCursor => ({ nextToken: null, startDate: since }),
    page: (c) => pullSesPage(cfg, c as SesCursor),
  },
});
