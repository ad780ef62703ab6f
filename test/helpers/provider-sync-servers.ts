import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';

/** A queued failure answer: status and extra headers. */
type Failure = { status: number; headers?: Record<string, string> };

export interface LocalProviderServer {
  url: string;
  requests: Array<{ method: string; path: string; body: string }>;
  /** Answer `f` to `times` requests, after letting `after` requests through. */
  failNext(f: Failure, times?: number, after?: number): void;
  close(): Promise<void>;
}

async function listen(
  handle: (req: IncomingMessage, body: string, res: ServerResponse) => Promise<void> | void,
): Promise<LocalProviderServer> {
  const requests: LocalProviderServer['requests'] = [];
  const failures: Array<Failure | null> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', body });
      const f = failures.shift();
      if (f) {
        res.writeHead(f.status, { 'content-type': 'application/json', ...f.headers });
        res.end('{"errors":[{"message":"local failure"}]}');
        return;
      }
      void Promise.resolve(handle(req, body, res)).catch((err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (f, times = 1, after = 0) =>
      failures.push(...new Array<null>(after).fill(null), ...new Array<Failure>(times).fill(f)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === null ? '' : JSON.stringify(body));
};

/**
 * A local server implementing SendGrid's documented v3 suppression endpoints: global
 * unsubscribes, unsubscribe groups and bounces, Bearer auth (401 otherwise).
 */
export async function startSendGridServer(apiKey: string): Promise<
  LocalProviderServer & {
    global: Set<string>;
    groups: Map<string, Set<string>>;
    bounces: Set<string>;
  }
> {
  const global = new Set<string>();
  const groups = new Map<string, Set<string>>();
  const bounces = new Set<string>();
  /** Epoch seconds each entry was created (what the list endpoints answer as `created`). */
  const created = new Map<string, number>();
  const s = await listen((req, body, res) => {
    if (req.headers.authorization !== `Bearer ${apiKey}`)
      return json(res, 401, { errors: [{ message: 'authorization required' }] });
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
    if (req.method === 'GET' && (m = /^\/v3\/suppression\/(unsubscribes|bounces)$/.exec(path))) {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      const since = Number(q.get('start_time') ?? 0);
      const limit = Number(q.get('limit') ?? 500);
      const offset = Number(q.get('offset') ?? 0);
      const set = m[1] === 'bounces' ? bounces : global;
      const rows = [...set]
        .map((email) => ({ email, created: created.get(email) ?? 1 }))
        .filter((r) => r.created >= since)
        .slice(offset, offset + limit);
      return json(res, 200, rows);
    }
    if (req.method === 'DELETE' && (m = /^\/v3\/suppression\/bounces\/(.+)$/.exec(path))) {
      if (!bounces.delete(m[1]!)) return json(res, 404, { errors: [{ message: 'not found' }] });
      return json(res, 204, null);
    }
    return json(res, 404, { errors: [{ message: 'no such endpoint' }] });
  });
  return Object.assign(s, { global, groups, bounces, created });
}

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Buffer =>
  typeof d === 'string'
    ? d
    : d instanceof ArrayBuffer
      ? Buffer.from(d)
      : Buffer.from(d.buffer, d.byteOffset, d.byteLength);

class NodeSha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

/**
 * A local server implementing the SESv2 account suppression list endpoints
 * (PutSuppressedDestination `PUT /v2/email/suppression/addresses`, DeleteSuppressedDestination
 * `DELETE /v2/email/suppression/addresses/{EmailAddress}`), verifying each request's AWS SigV4
 * signature by signing it again with the same credentials (403 SignatureDoesNotMatch otherwise).
 */
export async function startSesServer(creds: {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}): Promise<LocalProviderServer & { list: Map<string, string>; badSignatures: number }> {
  const list = new Map<string, string>();
  const signer = new SignatureV4({
    credentials: creds,
    region: creds.region,
    service: 'ses',
    sha256: NodeSha256,
  });
  const state = { badSignatures: 0 };
  const s = await listen(async (req, body, res) => {
    const auth = String(req.headers.authorization ?? '');
    const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    const headers: Record<string, string> = {};
    for (const h of signed) headers[h] = String(req.headers[h] ?? '');
    const date = new Date(
      amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
    );
    const again = await signer.sign(
      {
        method: req.method ?? 'GET',
        protocol: 'http:',
        hostname: headers.host?.split(':')[0] ?? '127.0.0.1',
        port: Number(headers.host?.split(':')[1] ?? 80),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body: body === '' ? undefined : body,
      },
      { signingDate: date },
    );
    if (!auth.startsWith('AWS4-HMAC-SHA256 ') || again.headers.authorization !== auth) {
      state.badSignatures++;
      res.writeHead(403, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'SignatureDoesNotMatch',
      });
      res.end('{"message":"The request signature we calculated does not match"}');
      return;
    }
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && url.pathname === '/v2/email/suppression/addresses') {
      const size = Number(url.searchParams.get('PageSize') ?? 100);
      const start = Number(url.searchParams.get('NextToken') ?? 0);
      const all = [...list.entries()];
      const page = all.slice(start, start + size);
      return json(res, 200, {
        SuppressedDestinationSummaries: page.map(([EmailAddress, Reason]) => ({
          EmailAddress,
          Reason,
          LastUpdateTime: 1_764_000_000,
        })),
        ...(start + size < all.length ? { NextToken: String(start + size) } : {}),
      });
    }
    if (req.method === 'PUT' && url.pathname === '/v2/email/suppression/addresses') {
      const b = JSON.parse(body) as { EmailAddress: string; Reason: string };
      list.set(b.EmailAddress, b.Reason);
      return json(res, 200, {});
    }
    if (
      req.method === 'DELETE' &&
      (m = /^\/v2\/email\/suppression\/addresses\/(.+)$/.exec(url.pathname))
    ) {
      const email = decodeURIComponent(m[1]!);
      if (!list.delete(email)) {
        res.writeHead(404, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'NotFoundException',
        });
        res.end('{"message":"not on the suppression list"}');
        return;
      }
      return json(res, 200, {});
    }
    return json(res, 404, { message: 'no such endpoint' });
  });
  return Object.defineProperties(Object.assign(s, { list }), {
    badSignatures: { get: () => state.badSignatures, enumerable: true },
  }) as unknown as LocalProviderServer & { list: Map<string, string>; badSignatures: number };
}

type MailgunList = 'bounces' | 'complaints' | 'unsubscribes';

/**
 * A local server implementing Mailgun's documented v3 suppression endpoints per domain
 * (`POST /v3/{domain}/{bounces|complaints|unsubscribes}` with form fields, `DELETE …/{address}`),
 * HTTP Basic auth `api:<key>` (401 otherwise).
 */
export async function startMailgunServer(
  apiKey: string,
): Promise<LocalProviderServer & { lists: Map<string, Record<MailgunList, Set<string>>> }> {
  const lists = new Map<string, Record<MailgunList, Set<string>>>();
  const of = (domain: string): Record<MailgunList, Set<string>> => {
    let l = lists.get(domain);
    if (!l)
      lists.set(
        domain,
        (l = { bounces: new Set(), complaints: new Set(), unsubscribes: new Set() }),
      );
    return l;
  };
  const s = await listen((req, body, res) => {
    if (req.headers.authorization !== `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`)
      return json(res, 401, { message: 'Invalid private key' });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const m = /^\/v3\/([^/]+)\/(bounces|complaints|unsubscribes)(?:\/([^/]+))?$/.exec(path);
    if (!m) return json(res, 404, { message: 'not found' });
    const list = of(decodeURIComponent(m[1]!))[m[2] as MailgunList];
    if (req.method === 'POST' && !m[3]) {
      const form = new URLSearchParams(body);
      const address = form.get('address');
      if (!address) return json(res, 400, { message: 'address is required' });
      list.add(address);
      return json(res, 200, { message: 'Address has been added', address });
    }
    if (req.method === 'DELETE' && m[3]) {
      if (!list.delete(decodeURIComponent(m[3]))) return json(res, 404, { message: 'not found' });
      return json(res, 200, { message: 'Address has been removed' });
    }
    return json(res, 405, { message: 'method not allowed' });
  });
  return Object.assign(s, { lists });
}

/**
 * A local server implementing Postmark's documented suppressions API per message stream
 * (`POST /message-streams/{stream}/suppressions` and `…/suppressions/delete`), server token auth.
 */
export async function startPostmarkServer(
  token: string,
): Promise<LocalProviderServer & { streams: Map<string, Set<string>> }> {
  const streams = new Map<string, Set<string>>();
  const s = await listen((req, body, res) => {
    if (req.headers['x-postmark-server-token'] !== token)
      return json(res, 401, { ErrorCode: 10, Message: 'Bad or missing Server API token.' });
    const m = /^\/message-streams\/([^/]+)\/suppressions(\/delete)?$/.exec(
      new URL(req.url ?? '/', 'http://x').pathname,
    );
    if (req.method !== 'POST' || !m)
      return json(res, 404, { ErrorCode: 404, Message: 'not found' });
    const stream = decodeURIComponent(m[1]!);
    const set = streams.get(stream) ?? new Set<string>();
    streams.set(stream, set);
    const items = (JSON.parse(body) as { Suppressions: Array<{ EmailAddress: string }> })
      .Suppressions;
    for (const i of items) {
      if (m[2]) set.delete(i.EmailAddress);
      else set.add(i.EmailAddress);
    }
    return json(res, 200, {
      Suppressions: items.map((i) => ({
        EmailAddress: i.EmailAddress,
        Status: m[2] ? 'Deleted' : 'Suppressed',
        Message: null,
      })),
    });
  });
  return Object.assign(s, { streams });
}

/**
 * A local server implementing Brevo's documented contact endpoints used for blocking
 * (`PUT /v3/contacts/{email}`, 404 for an unknown contact; `POST /v3/contacts`;
 * `DELETE /v3/smtp/blockedContacts/{email}`), `api-key` auth.
 */
export async function startBrevoServer(
  apiKey: string,
): Promise<LocalProviderServer & { contacts: Map<string, { blocked: boolean }> }> {
  const contacts = new Map<string, { blocked: boolean }>();
  const s = await listen((req, body, res) => {
    if (req.headers['api-key'] !== apiKey)
      return json(res, 401, { code: 'unauthorized', message: 'Key not found' });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let m: RegExpExecArray | null;
    if (req.method === 'PUT' && (m = /^\/v3\/contacts\/([^/]+)$/.exec(path))) {
      const c = contacts.get(decodeURIComponent(m[1]!));
      if (!c)
        return json(res, 404, { code: 'document_not_found', message: 'Contact does not exist' });
      c.blocked =
        (JSON.parse(body) as { emailBlacklisted?: boolean }).emailBlacklisted ?? c.blocked;
      return json(res, 204, null);
    }
    if (req.method === 'POST' && path === '/v3/contacts') {
      const b = JSON.parse(body) as { email: string; emailBlacklisted?: boolean };
      contacts.set(b.email, { blocked: b.emailBlacklisted ?? false });
      return json(res, 201, { id: contacts.size });
    }
    if (req.method === 'DELETE' && (m = /^\/v3\/smtp\/blockedContacts\/([^/]+)$/.exec(path))) {
      const c = contacts.get(decodeURIComponent(m[1]!));
      if (!c?.blocked)
        return json(res, 404, { code: 'document_not_found', message: 'not blocked' });
      c.blocked = false;
      return json(res, 204, null);
    }
    return json(res, 404, { code: 'not_found', message: 'no such endpoint' });
  });
  return Object.assign(s, { contacts });
}
