/** Codes the client itself gives when no server answer explains the failure. */
export type ClientErrorCode =
  | 'BOUNCER_CLIENT_NETWORK'
  | 'BOUNCER_CLIENT_TIMEOUT'
  | 'BOUNCER_CLIENT_ABORTED'
  | 'BOUNCER_CLIENT_PROTOCOL'
  | 'BOUNCER_CLIENT_HTTP';

/**
 * Every failure of a client call. `status` is the HTTP status, or null when no answer came
 * (network error, timeout, abort); `code` is the server's `BOUNCER_ERR_*` code when it sent one,
 * else one of ClientErrorCode; `message` is the server's message when it sent one.
 */
export class BouncerError extends Error {
  readonly status: number | null;
  readonly code: string;
  /** Whether the client would retry it (5xx, network errors, timeouts); after the last attempt it is thrown anyway. */
  readonly retryable: boolean;
  /** How many attempts were made before giving up. */
  attempts = 1;

  constructor(
    code: string,
    message: string,
    opts: { status?: number | null; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'BouncerError';
    this.code = code;
    this.status = opts.status ?? null;
    this.retryable = opts.retryable ?? false;
  }
}

export function isBouncerError(err: unknown): err is BouncerError {
  return err instanceof BouncerError;
}

/** The error for a non-2xx answer, from the server's `{error:{code,message}}` body when it has one. */
export async function errorFromResponse(res: Response): Promise<BouncerError> {
  const text = await res.text().catch(() => '');
  let code = 'BOUNCER_CLIENT_HTTP';
  let message = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // Not our JSON (a proxy's error page): keep the status line.
  }
  return new BouncerError(code, message, { status: res.status, retryable: res.status >= 500 });
}
