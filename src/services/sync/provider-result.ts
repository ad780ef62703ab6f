/** The outcome of one push to a provider, as the outbox records it. */
export interface PushResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  retryAfterMs: number | null;
}

export const pushOk = (status: number): PushResult => ({
  ok: true,
  status,
  error: null,
  retryAfterMs: null,
});
