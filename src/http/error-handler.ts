import type { FastifyError, FastifyInstance } from 'fastify';
import { isStorageFault } from '../services/storage-faults.js';
import { AppError, ERROR_CODES, type ErrorCode } from '../core/errors.js';

export function errorBody(
  code: ErrorCode,
  message: string,
): { error: { code: ErrorCode; message: string } } {
  return { error: { code, message } };
}

/** Fastify's own errors that are the client's fault, mapped to our codes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BOUNCER_ERR_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'BOUNCER_ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BOUNCER_ERR_VALIDATION',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BOUNCER_ERR_VALIDATION',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BOUNCER_ERR_VALIDATION',
  FST_ERR_VALIDATION: 'BOUNCER_ERR_VALIDATION',
};

/**
 * One error handler: `{error:{code,message}}` with the registry's status. Client errors say what
 * is wrong; 5xx bodies are generic and the detail goes to the log.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.error({ err: err.cause ?? err }, err.message);
      const message = err.status >= 500 ? ERROR_CODES[err.code].message : err.message;
      return reply.code(err.status).send(errorBody(err.code, message));
    }
    if (err.validation) {
      const v = err.validation[0];
      const where =
        (err.validationContext ?? 'body') +
        (v?.instancePath ? v.instancePath.replace(/\//g, '.') : '');
      const field =
        v?.keyword === 'required' && v.params && typeof v.params.missingProperty === 'string'
          ? `${where}.${v.params.missingProperty}`
          : where;
      const problem = v?.keyword === 'required' ? 'is required' : (v?.message ?? 'is invalid');
      return reply.code(400).send(errorBody('BOUNCER_ERR_VALIDATION', `${field}: ${problem}`));
    }
    const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (mapped) {
      const message =
        mapped === 'BOUNCER_ERR_PAYLOAD_TOO_LARGE'
          ? `The request body is larger than this endpoint accepts (${request.routeOptions.bodyLimit ?? 'limit'} bytes)`
          : err.message;
      return reply.code(ERROR_CODES[mapped].status).send(errorBody(mapped, message));
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody('BOUNCER_ERR_VALIDATION', err.message));
    }
    if (isStorageFault(err)) {
      // The database is unreachable, read-only or out of space: unavailable, not broken.
      request.log.error({ err }, 'storage unavailable');
      return reply
        .code(503)
        .send(errorBody('BOUNCER_ERR_UNAVAILABLE', ERROR_CODES.BOUNCER_ERR_UNAVAILABLE.message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply
      .code(500)
      .send(errorBody('BOUNCER_ERR_INTERNAL', ERROR_CODES.BOUNCER_ERR_INTERNAL.message));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send(
        errorBody(
          'BOUNCER_ERR_NOT_FOUND',
          `No route for ${request.method} ${request.url.split('?')[0]}`,
        ),
      );
  });
}
