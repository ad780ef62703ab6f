/**
 * One error class and one registry of codes (Fastify's FST_ERR_* pattern). The HTTP status
 * for each code lives here so every edge (HTTP, CLI) maps errors the same way.
 */
export const ERROR_CODES = {
  BOUNCER_ERR_VALIDATION: { status: 400, message: 'The request is invalid' },
  BOUNCER_ERR_UNAUTHORIZED: { status: 401, message: 'Authentication required' },
  BOUNCER_ERR_FORBIDDEN: {
    status: 403,
    message: 'This API key lacks the scope for this operation',
  },
  BOUNCER_ERR_NOT_FOUND: { status: 404, message: 'Not found' },
  BOUNCER_ERR_CONFLICT: { status: 409, message: 'Conflict' },
  BOUNCER_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  BOUNCER_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type' },
  BOUNCER_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests; try again later' },
  BOUNCER_ERR_PARSE: { status: 400, message: 'The payload could not be parsed' },
  BOUNCER_ERR_UNAVAILABLE: { status: 503, message: 'The service is temporarily unavailable' },
  BOUNCER_ERR_CONFIG: { status: 500, message: 'Invalid configuration' },
  BOUNCER_ERR_INTERNAL: { status: 500, message: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface AppErrorOptions {
  cause?: unknown;
  /** Machine-readable detail safe to return to the client (e.g. the offending field). */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, options: AppErrorOptions = {}) {
    super(message ?? ERROR_CODES[code].message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = options.details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** A 400 that names the field at fault. */
export function validationError(field: string, problem: string): AppError {
  return new AppError('BOUNCER_ERR_VALIDATION', `${field}: ${problem}`, { details: { field } });
}

/** A verified payload that cannot be understood. Never retried: replaying it gives the same. */
export class ParseError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('BOUNCER_ERR_PARSE', message, options);
    this.name = 'ParseError';
  }
}
