import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, listen, type LocalProviderServer } from './local-server.js';

export type MailgunList = 'bounces' | 'complaints' | 'unsubscribes';

/** One suppression record as Mailgun keeps it. */
export interface MailgunEntry {
  address: string;
  /** Epoch ms (`created_at`, answered in RFC 2822). */
  createdAt: number;
  code?: string;
  error?: string;
  /** Unsubscribes only: `*` for every mail of the domain. */
  tags?: string[];
}

type Lists = Record<MailgunList, Map<string, MailgunEntry>>;

/** Mailgun's documented limits for the list endpoints (default 100, max 1000). */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1_000;

export interface MailgunServer extends LocalProviderServer {
  lists: Map<string, Lists>;
  /** Put an entry straight into a list (as the Mailgun console would). */
  seed(
    domain: string,
    list: MailgunList,
    entry: Omit<MailgunEntry, 'createdAt'> & { createdAt?: number },
  ): void;
  /** Answer Mailgun's 429 with `Retry-After: seconds` to `times` requests, after `after`. */
  rateLimitNext(seconds: number, times?: number, after?: number): void;
}

/** The records a POST adds: a JSON array, or one urlencoded or multipart form. */
async function records(
  req: IncomingMessage,
  body: string,
): Promise<Array<Record<string, unknown>> | null> {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    const parsed = JSON.parse(body) as unknown;
    return Array.isArray(parsed) ? (parsed as Array<Record<string, unknown>>) : null;
  }
  const form = type.startsWith('multipart/form-data')
    ? await new Response(body, { headers: { 'content-type': type } }).formData()
    : new URLSearchParams(body);
  const out: Record<string, unknown> = {};
  for (const [k, v] of form.entries()) if (typeof v === 'string') out[k] = v;
  return [out];
}

function itemJson(list: MailgunList, e: MailgunEntry): Record<string, unknown> {
  const created_at = new Date(e.createdAt).toUTCString();
  if (list === 'bounces')
    return { address: e.address, code: e.code ?? '550', error: e.error ?? '', created_at };
  if (list === 'unsubscribes') return { address: e.address, tags: e.tags ?? ['*'], created_at };
  return { address: e.address, created_at };
}

/**
 * `GET /v3/{domain}/{list}`: alphabetical order (as documented), `limit`, and Mailgun's page URLs
 * `?page=first|last`, `?page=next|previous&address=<pivot>`; on the final page `next` equals
 * `last` (the documented end-of-list sign).
 */
function listPage(
  req: IncomingMessage,
  res: ServerResponse,
  domain: string,
  list: MailgunList,
  entries: Map<string, MailgunEntry>,
): void {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  const limit = Number(q.get('limit') ?? DEFAULT_LIMIT);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    return json(res, 400, { message: `Invalid limit: must be between 1 and ${MAX_LIMIT}` });
  const all = [...entries.values()].sort((a, b) =>
    a.address < b.address ? -1 : a.address > b.address ? 1 : 0,
  );
  const pivot = q.get('address') ?? '';
  const page = q.get('page') ?? 'first';
  let items: MailgunEntry[];
  if (page === 'next') items = all.filter((e) => e.address > pivot).slice(0, limit);
  else if (page === 'previous') items = all.filter((e) => e.address < pivot).slice(-limit);
  else if (page === 'last') items = all.slice(-limit);
  else if (page === 'first') items = all.slice(0, limit);
  else return json(res, 400, { message: `Invalid page: ${page}` });
  const base = `http://${req.headers.host}/v3/${encodeURIComponent(domain)}/${list}`;
  const at = (p: string, address?: string): string =>
    `${base}?${new URLSearchParams({ page: p, ...(address === undefined ? {} : { address }), limit: String(limit) }).toString()}`;
  const lastItem = items[items.length - 1];
  const end = lastItem === undefined ? pivot : lastItem.address;
  const final = !all.some((e) => e.address > end);
  json(res, 200, {
    items: items.map((e) => itemJson(list, e)),
    paging: {
      first: at('first'),
      next: final ? at('last') : at('next', end),
      previous: at('previous', items[0]?.address ?? pivot),
      last: at('last'),
    },
  });
}

/**
 * A local server implementing Mailgun's documented v3 suppression endpoints per domain:
 * `GET /v3/{domain}/{bounces|complaints|unsubscribes}` (paged, above), `GET …/{address}`,
 * `POST …` (one record as a urlencoded or multipart form, or up to 1000 as a JSON array; fields
 * `address`, `code`/`error` for bounces, `tag`/`tags` for unsubscribes, `created_at` RFC 2822),
 * `DELETE …/{address}` (404 `Address not found…` when absent); HTTP Basic auth `api:<key>` (401
 * otherwise); and, on demand, 429 with `Retry-After` or any other failure (`failNext`).
 */
export async function startMailgunServer(apiKey: string): Promise<MailgunServer> {
  const lists = new Map<string, Lists>();
  const of = (domain: string): Lists => {
    let l = lists.get(domain);
    if (!l)
      lists.set(
        domain,
        (l = { bounces: new Map(), complaints: new Map(), unsubscribes: new Map() }),
      );
    return l;
  };
  const s = await listen(async (req, body, res) => {
    if (req.headers.authorization !== `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`)
      return json(res, 401, { message: 'Invalid private key' });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const m = /^\/v3\/([^/]+)\/(bounces|complaints|unsubscribes)(?:\/([^/]+))?$/.exec(path);
    if (!m) return json(res, 404, { message: 'not found' });
    const domain = decodeURIComponent(m[1]!);
    const name = m[2] as MailgunList;
    const list = of(domain)[name];
    const address = m[3] === undefined ? null : decodeURIComponent(m[3]);
    if (req.method === 'GET' && address === null) return listPage(req, res, domain, name, list);
    if (req.method === 'GET' && address !== null) {
      const e = list.get(address);
      if (!e) return json(res, 404, { message: `Address not found in ${name} table` });
      return json(res, 200, itemJson(name, e));
    }
    if (req.method === 'POST' && address === null) {
      const rows = await records(req, body);
      if (!rows || rows.length === 0 || rows.length > 1_000)
        return json(res, 400, { message: 'expected 1 to 1000 records' });
      for (const r of rows)
        if (typeof r.address !== 'string' || !r.address.includes('@'))
          return json(res, 400, { message: "'address' parameter is not a valid email address" });
      for (const r of rows) {
        const created = typeof r.created_at === 'string' ? Date.parse(r.created_at) : Number.NaN;
        const tags = Array.isArray(r.tags)
          ? r.tags.map(String)
          : typeof r.tag === 'string'
            ? [r.tag]
            : ['*'];
        list.set(r.address as string, {
          address: r.address as string,
          createdAt: Number.isNaN(created) ? Date.now() : created,
          ...(name === 'bounces'
            ? { code: String(r.code ?? '550'), error: typeof r.error === 'string' ? r.error : '' }
            : {}),
          ...(name === 'unsubscribes' ? { tags } : {}),
        });
      }
      if (req.headers['content-type']?.startsWith('application/json'))
        return json(res, 200, {
          message: `${rows.length} addresses have been added to the ${name} table`,
        });
      return json(res, 200, {
        message: `Address has been added to the ${name} table`,
        address: rows[0]!.address,
      });
    }
    if (req.method === 'DELETE' && address !== null) {
      if (!list.delete(address))
        return json(res, 404, { message: `Address not found in ${name} table` });
      return json(res, 200, { message: 'Address has been removed', address });
    }
    return json(res, 405, { message: 'method not allowed' });
  });
  return Object.assign(s, {
    lists,
    seed: (
      domain: string,
      name: MailgunList,
      e: Omit<MailgunEntry, 'createdAt'> & { createdAt?: number },
    ) => {
      of(domain)[name].set(e.address, { ...e, createdAt: e.createdAt ?? Date.now() });
    },
    rateLimitNext: (seconds: number, times = 1, after = 0) =>
      s.failNext(
        {
          status: 429,
          headers: { 'retry-after': String(seconds) },
          body: { message: 'Too many requests' },
        },
        times,
        after,
      ),
  });
}
