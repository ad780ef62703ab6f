import { parseRetryAfter } from '../../core/retry-after.js';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { standardWebhookHeaders } from '../../core/standard-webhooks.js';
import { checkDestinationUrl, guardedLookup } from './destination-guard.js';

const SEND_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface SendResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  /** From a 429/503 Retry-After (seconds or HTTP date), else null. */
  retryAfterMs: number | null;
}

/** One signed POST. Never throws: the outcome is a value the outbox records. */
export async function sendSignedWebhook(
  target: { url: string; secret: string; allowPrivate: boolean },
  message: { id: string; body: string },
  now: number,
): Promise<SendResult> {
  const refused = checkDestinationUrl(target.url, target.allowPrivate);
  if (refused) return { ok: false, status: null, error: refused, retryAfterMs: null };
  const url = new URL(target.url);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'bouncer-webhooks',
    'content-length': String(Buffer.byteLength(message.body)),
    ...standardWebhookHeaders(target.secret, message.id, now, message.body),
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendResult>((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers,
        lookup: guardedLookup(target.allowPrivate),
        timeout: SEND_TIMEOUT_MS,
      },
      (res) => {
        let seen = 0;
        res.on('data', (c: Buffer) => {
          seen += c.length;
          if (seen > MAX_RESPONSE_BYTES) res.destroy();
        });
        const done = (): void => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          const ra = res.headers['retry-after'];
          resolve({
            ok,
            status,
            error: ok ? null : `HTTP ${status}`,
            retryAfterMs: ok ? null : parseRetryAfter(Array.isArray(ra) ? ra[0] : ra, now),
          });
        };
        res.on('end', done);
        res.on('close', done);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${SEND_TIMEOUT_MS} ms`)));
    req.on('error', (err) =>
      resolve({
        ok: false,
        status: null,
        error: String(err?.message ?? err).slice(0, 500),
        retryAfterMs: null,
      }),
    );
    req.end(message.body);
  });
}
