import pino, { type Logger } from 'pino';

/**
 * JSON logs to stdout. Personal data stays out of info-level logs by construction: request logs
 * carry route patterns, services log masked addresses (core/address.ts maskAddress); the
 * authorization header and raw bodies are redacted should anything log them.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'body', 'rawBody'],
        censor: '[redacted]',
      },
      base: { service: 'bouncer' },
    },
    destination as pino.DestinationStream | undefined,
  );
}
