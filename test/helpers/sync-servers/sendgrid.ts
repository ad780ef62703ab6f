import { json, listen, type LocalProviderServer } from './local-server.js';

/**
 * A local server implementing SendGrid's documented v3 suppression endpoints: global
 * unsubscribes, unsubscribe groups, bounces and spam reports, Bearer auth (401 otherwise).
 * `rateLimit` answers 429 as the "Rate Limits" page shows: `X-RateLimit-Limit`,
 * `X-RateLimit-Remaining: 0`, `X-RateLimit-Reset` (epoch seconds) and
 * `{"errors":[{"field":null,"message":"too many requests"}]}`.
 */
export async function startSendGridServer(apiKey: string): Promise<
  LocalProviderServer & {
    global: Set<string>;
    groups: Map<string, Set<string>>;
    bounces: Set<string>;
    spamReports: Set<string>;
    created: Map<string, number>;
    rateLimit(times: number, resetAt: number): void;
  }
> {
  const global = new Set<string>();
  const groups = new Map<string, Set<string>>();
  const bounces = new Set<string>();
  const spamReports = new Set<string>();
  /** Epoch seconds each entry was created (what the list endpoints answer as `created`). */
  const created = new Map<string, number>();
  const limited: number[] = [];
  const s = await listen((req, body, res) => {
    if (req.headers.authorization !== `Bearer ${apiKey}`)
      return json(res, 401, { errors: [{ field: null, message: 'authorization required' }] });
    const resetAt = limited.shift();
    if (resetAt !== undefined) {
      res.writeHead(429, {
        'content-type': 'application/json',
        'x-ratelimit-limit': '150',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(resetAt),
      });
      res.end(JSON.stringify({ errors: [{ field: null, message: 'too many requests' }] }));
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && path === '/v3/asm/suppressions/global') {
      const emails = (JSON.parse(body) as { recipient_emails: string[] }).recipient_emails;
      for (const e of emails) global.add(e);
      return json(res, 201, { recipient_emails: emails });
    }
    if (req.method === 'DELETE' && (m = /^\/v3\/asm\/suppressions\/global\/(.+)$/.exec(path))) {
      global.delete(m[1]!);
      return json(res, 204, null);
    }
    if (req.method === 'POST' && (m = /^\/v3\/asm\/groups\/(\d+)\/suppressions$/.exec(path))) {
      const emails = (JSON.parse(body) as { recipient_emails: string[] }).recipient_emails;
      const g = groups.get(m[1]!) ?? new Set<string>();
      for (const e of emails) g.add(e);
      groups.set(m[1]!, g);
      return json(res, 201, { recipient_emails: emails });
    }
    if (
      req.method === 'DELETE' &&
      (m = /^\/v3\/asm\/groups\/(\d+)\/suppressions\/(.+)$/.exec(path))
    ) {
      groups.get(m[1]!)?.delete(m[2]!);
      return json(res, 204, null);
    }
    if (
      req.method === 'GET' &&
      (m = /^\/v3\/suppression\/(unsubscribes|bounces|spam_reports)$/.exec(path))
    ) {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      const since = Number(q.get('start_time') ?? 0);
      const limit = Number(q.get('limit') ?? 500);
      const offset = Number(q.get('offset') ?? 0);
      const set = m[1] === 'bounces' ? bounces : m[1] === 'spam_reports' ? spamReports : global;
      const rows = [...set]
        .map((email) => ({ email, created: created.get(email) ?? 1 }))
        .filter((r) => r.created >= since)
        .slice(offset, offset + limit);
      return json(res, 200, rows);
    }
    if (
      req.method === 'DELETE' &&
      (m = /^\/v3\/suppression\/(bounces|spam_reports)\/(.+)$/.exec(path))
    ) {
      const set = m[1] === 'bounces' ? bounces : spamReports;
      if (!set.delete(m[2]!))
        return json(res, 404, { errors: [{ field: null, message: 'not found' }] });
      return json(res, 204, null);
    }
    return json(res, 404, { errors: [{ message: 'no such endpoint' }] });
  });
  return Object.assign(s, {
    global,
    groups,
    bounces,
    spamReports,
    created,
    rateLimit: (times: number, resetAt: number) => {
      for (let i = 0; i < times; i++) limited.push(resetAt);
    },
  });
}
