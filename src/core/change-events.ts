/** Signed change events Bouncer sends to subscribers (Standard Webhooks). */
export const CHANGE_EVENT_TYPES = [
  'suppression.added',
  'suppression.removed',
  'suppression.expired',
] as const;
export type ChangeEventType = (typeof CHANGE_EVENT_TYPES)[number];

/** A change to the suppression list, as subscribers receive it in `data`. */
export interface ChangeEventData {
  address: string;
  channel: string;
  scope: string;
  reason: string;
  source: string;
  /** ISO time a cool-down ends; null = permanent. */
  until: string | null;
}

export interface ChangeEvent {
  type: ChangeEventType;
  /** Epoch ms of the change. */
  at: number;
  data: ChangeEventData;
}

/** The body subscribers receive: `{type, timestamp, data}`. */
export function changeEventBody(e: ChangeEvent): string {
  return JSON.stringify({ type: e.type, timestamp: new Date(e.at).toISOString(), data: e.data });
}

export const isoOrNull = (ms: number | null): string | null =>
  ms === null ? null : new Date(Number(ms)).toISOString();

/**
 * Outbound retry schedule: exponential from `baseMs`, capped at `maxMs`, never past the give-up
 * time (so the last attempt happens right at it). Null = give up now (the delivery is dead).
 */
export function nextOutboundAttempt(
  s: { baseMs: number; maxMs: number; giveUpMs: number },
  attempts: number,
  createdAt: number,
  now: number,
  retryAfterMs: number | null,
): number | null {
  const deadline = createdAt + s.giveUpMs;
  if (now >= deadline) return null;
  const backoff = Math.min(s.maxMs, s.baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  return Math.min(deadline, now + Math.max(backoff, retryAfterMs ?? 0));
}
