import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { auth, type TestApp } from './app.js';

/**
 * Reads used by the provider webhook HTTP tests: what the API says about an address after the
 * worker ran, and the rows behind it where the API hides a detail (soft counts, expiry).
 */

export const UNAUTHORIZED_BODY = {
  error: { code: 'BOUNCER_ERR_UNAUTHORIZED', message: 'Authentication required' },
};

export interface ApiEvent {
  provider: string;
  type: string;
  channel: string;
  address: string;
  scope: string;
  severity: string | null;
  reason: string | null;
  fine_reason: string | null;
  error_code: string | null;
  occurred_at: string;
  details: Record<string, unknown>;
}

/** `GET /v1/events?address=` oldest first (the API answers newest first). */
export async function eventsFor(t: TestApp, address: string): Promise<ApiEvent[]> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/events?address=${encodeURIComponent(address)}&limit=1000`,
    headers: auth(),
  });
  if (res.statusCode !== 200)
    throw new Error(`GET /v1/events answered ${res.statusCode}: ${res.body}`);
  return (res.json().events as ApiEvent[]).reverse();
}

export interface ApiSuppression {
  suppressed: boolean;
  entries: Array<{
    scope: string;
    reason: string;
    source: string;
    since: string;
    until: string | null;
  }>;
}

/** `GET /v1/suppressions/:address` (only entries in force now, by the app's clock). */
export async function suppressionOf(
  t: TestApp,
  address: string,
  scope?: string,
): Promise<ApiSuppression> {
  const query = scope === undefined ? '' : `?scope=${encodeURIComponent(scope)}`;
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/suppressions/${encodeURIComponent(address)}${query}`,
    headers: auth(),
  });
  if (res.statusCode !== 200)
    throw new Error(`GET /v1/suppressions answered ${res.statusCode}: ${res.body}`);
  return res.json<ApiSuppression>();
}

/** Suppression rows of one normalised address, by scope. */
export async function suppressionRows(
  t: TestApp,
  address: string,
): Promise<
  Array<{
    scope: string;
    reason: string;
    source: string;
    expires_at: number | null;
    soft_count: number;
  }>
> {
  const rows = await t.tdb.db.kysely
    .selectFrom('suppressions')
    .select(['scope', 'reason', 'source', 'expires_at', 'soft_count'])
    .where('address', '=', address)
    .orderBy('scope')
    .execute();
  return rows.map((r) => ({
    ...r,
    expires_at: r.expires_at === null ? null : Number(r.expires_at),
  }));
}

/** How many events one provider stored for an address (a duplicate must not add one). */
export async function countEvents(t: TestApp, provider: string, address: string): Promise<number> {
  const rows = await t.tdb.db.kysely
    .selectFrom('events')
    .select('id')
    .where('provider', '=', provider)
    .where('address', '=', address)
    .execute();
  return rows.length;
}

/** Ids of the dead-lettered deliveries, as `GET /v1/deliveries?status=dead` lists them. */
export async function deadDeliveryIds(t: TestApp): Promise<string[]> {
  const res = await t.app.inject({
    method: 'GET',
    url: '/v1/deliveries?status=dead',
    headers: auth(),
  });
  return (res.json().items as Array<{ id: string }>).map((d) => d.id);
}

/** The stored delivery behind an answer, for its status and outcome. */
export async function deliveryOf(
  t: TestApp,
  id: string,
): Promise<{ status: string; outcome: string | null; last_error: string | null }> {
  const row = await t.tdb.db.kysely
    .selectFrom('deliveries')
    .select(['status', 'outcome', 'last_error'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row;
}

export function expectUnauthorized(res: LightMyRequestResponse): void {
  expect({ status: res.statusCode, body: res.json<unknown>() }).toEqual({
    status: 401,
    body: UNAUTHORIZED_BODY,
  });
}
