import type { ServerResponse } from 'node:http';
import { listen, type Failure, type LocalProviderServer } from './local-server.js';

/** One suppression as Postmark keeps it in a message stream. */
export interface PostmarkSuppression {
  reason: 'HardBounce' | 'SpamComplaint' | 'ManualSuppression';
  origin: 'Recipient' | 'Customer' | 'Admin';
  /** Epoch ms. */
  createdAt: number;
}

/**
 * Postmark's documented dates are US Eastern (the dump's example `CreatedAt` is
 * `2019-12-17T08:58:33-05:00`); this server answers and filters in that zone.
 */
const EASTERN = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
});

const easternParts = (ms: number): Record<string, string> =>
  Object.fromEntries(EASTERN.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));

export function easternIso(ms: number): string {
  const p = easternParts(ms);
  const offset = (p.timeZoneName ?? 'GMT').replace('GMT', '') || '+00:00';
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset}`;
}

export const easternDate = (ms: number): string => easternIso(ms).slice(0, 10);

const send = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/** Postmark's error body: `{ErrorCode, Message}` (docs: API overview, "HTTP response codes"). */
const error = (
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers?: Record<string, string>,
): void => send(res, status, { ErrorCode: code, Message: message }, headers);

/**
 * Failure answers: Postmark's error-code table (API overview, "Error codes") has 429 "Rate Limit
 * Exceeded" and 100 "Maintenance" (what its 503 stands for: an assumption, the docs do not pair
 * them); a 500 carries no API error code, so 0.
 */
const FAILURES: Record<number, { code: number; message: string }> = {
  429: { code: 429, message: 'Rate Limit Exceeded' },
  500: { code: 0, message: 'Internal Server Error' },
  503: { code: 100, message: 'Maintenance' },
};

/**
 * A local server implementing Postmark's documented suppressions API per message stream
 * (developer/api/suppressions-api):
 * - `GET /message-streams/{stream}/suppressions/dump`, the whole list in one answer (the dump has
 *   no paging), filtered by `SuppressionReason`, `Origin`, `EmailAddress` and `fromdate`/`todate`
 *   (dates `YYYY-MM-DD`, inclusive, in Eastern time). Query names are matched case-insensitively,
 *   as Postmark does (its own example writes `origin=` for the documented `Origin`).
 * - `POST …/suppressions` adds each address as `ManualSuppression` with origin `Customer`
 *   (CreatedAt recorded), `POST …/suppressions/delete` removes it, except a `SpamComplaint`, which
 *   Postmark refuses to delete (`Status: "Failed"`).
 * - `X-Postmark-Server-Token` auth: 401 with ErrorCode 10 otherwise.
 * `failNext` answers 429 / 5xx in Postmark's error shape (see FAILURES). Postmark documents no
 * Retry-After or rate-limit headers: they are sent only when a test asks.
 */
export async function startPostmarkServer(token: string): Promise<
  LocalProviderServer & {
    streams: Map<string, Map<string, PostmarkSuppression>>;
    /** A suppression made in Postmark itself (a bounce, a complaint, the console). */
    seed(stream: string, address: string, s: Partial<PostmarkSuppression>): void;
  }
> {
  const streams = new Map<string, Map<string, PostmarkSuppression>>();
  const list = (stream: string): Map<string, PostmarkSuppression> => {
    let l = streams.get(stream);
    if (!l) streams.set(stream, (l = new Map()));
    return l;
  };
  const failures: Array<Failure | null> = [];
  const s = await listen((req, body, res) => {
    const f = failures.shift();
    if (f) {
      const { code, message } = FAILURES[f.status] ?? { code: 0, message: 'Error' };
      return error(res, f.status, code, message, f.headers);
    }
    if (req.headers['x-postmark-server-token'] !== token)
      return error(res, 401, 10, 'Bad or missing Server API token.');
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/message-streams\/([^/]+)\/suppressions(\/delete|\/dump)?$/.exec(url.pathname);
    if (!m) return error(res, 404, 0, 'Not found.');
    const stream = list(decodeURIComponent(m[1]!));
    if (req.method === 'GET' && m[2] === '/dump') {
      const q = new Map([...url.searchParams].map(([k, v]) => [k.toLowerCase(), v]));
      for (const k of ['fromdate', 'todate'])
        if (q.has(k) && !/^\d{4}-\d{2}-\d{2}$/.test(q.get(k)!))
          return error(res, 422, 0, `Invalid ${k}: expected YYYY-MM-DD.`);
      const rows = [...stream].filter(([address, e]) => {
        const day = easternDate(e.createdAt);
        return (
          (!q.has('fromdate') || day >= q.get('fromdate')!) &&
          (!q.has('todate') || day <= q.get('todate')!) &&
          (!q.has('suppressionreason') || e.reason === q.get('suppressionreason')) &&
          (!q.has('origin') || e.origin.toLowerCase() === q.get('origin')!.toLowerCase()) &&
          (!q.has('emailaddress') || address === q.get('emailaddress')!.toLowerCase())
        );
      });
      return send(res, 200, {
        Suppressions: rows.map(([address, e]) => ({
          EmailAddress: address,
          SuppressionReason: e.reason,
          Origin: e.origin,
          CreatedAt: easternIso(e.createdAt),
        })),
      });
    }
    if (req.method !== 'POST' || m[2] === '/dump') return error(res, 404, 0, 'Not found.');
    const items = (JSON.parse(body) as { Suppressions: Array<{ EmailAddress: string }> })
      .Suppressions;
    const del = m[2] === '/delete';
    return send(res, 200, {
      Suppressions: items.map(({ EmailAddress }) => {
        const address = EmailAddress.toLowerCase();
        if (!address.includes('@'))
          return {
            EmailAddress,
            Status: 'Failed',
            Message: 'An invalid email address was provided.',
          };
        if (!del) {
          if (!stream.has(address))
            stream.set(address, {
              reason: 'ManualSuppression',
              origin: 'Customer',
              createdAt: Date.now(),
            });
          return { EmailAddress, Status: 'Suppressed', Message: null };
        }
        if (stream.get(address)?.reason === 'SpamComplaint')
          return {
            EmailAddress,
            Status: 'Failed',
            Message: 'You do not have the required authority to change this suppression.',
          };
        stream.delete(address);
        return { EmailAddress, Status: 'Deleted', Message: null };
      }),
    });
  });
  return Object.assign(s, {
    streams,
    failNext: (f: Failure, times = 1, after = 0) =>
      failures.push(...new Array<null>(after).fill(null), ...new Array<Failure>(times).fill(f)),
    seed: (stream: string, address: string, e: Partial<PostmarkSuppression>) =>
      list(stream).set(address.toLowerCase(), {
        reason: e.reason ?? 'HardBounce',
        origin: e.origin ?? 'Recipient',
        createdAt: e.createdAt ?? Date.now(),
      }),
  });
}
