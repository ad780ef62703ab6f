import { json, listen, type LocalProviderServer } from './local-server.js';

/** The reason codes `GET /v3/smtp/blockedContacts` documents. */
export type BrevoBlockCode =
  | 'unsubscribedViaMA'
  | 'unsubscribedViaEmail'
  | 'adminBlocked'
  | 'unsubscribedViaApi'
  | 'hardBounce'
  | 'contactFlaggedAsSpam';

const MESSAGES: Record<BrevoBlockCode, string> = {
  unsubscribedViaMA: 'Unsubscribed via marketing automation',
  unsubscribedViaEmail: 'Unsubscribed via email',
  adminBlocked: 'Admin blocked',
  unsubscribedViaApi: 'Unsubscribed via API',
  hardBounce: 'Hard bounce',
  contactFlaggedAsSpam: 'Contact flagged email as spam',
};

export interface BrevoBlock {
  code: BrevoBlockCode;
  senderEmail: string | null;
  /** Epoch ms. */
  blockedAt: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const badRequest = (message: string) => ({ code: 'invalid_parameter', message });

/**
 * A local server implementing the Brevo v3 endpoints the sync uses, as documented
 * (developers.brevo.com/reference): `PUT /v3/contacts/{email}` (404 for an unknown contact),
 * `POST /v3/contacts`, `DELETE /v3/smtp/blockedContacts/{email}` (404 when not blocked) and
 * `GET /v3/smtp/blockedContacts` (`startDate`/`endDate` YYYY-MM-DD given together and not in the
 * future, `limit` 0–100, `offset`, `sort` asc|desc by record creation, default desc; answer
 * `{contacts: [{email, senderEmail, reason: {code, message}, blockedAt}], count}`). Auth is the
 * `api-key` header (401 `{code: "unauthorized"}` otherwise). `throttle` answers 429 with Brevo's
 * rate-limit headers (`x-sib-ratelimit-limit`, `-remaining`, `-reset`: seconds until the reset).
 * A contact blocked through the API shows up in the list as `unsubscribedViaApi`.
 */
export async function startBrevoServer(apiKey: string): Promise<
  LocalProviderServer & {
    contacts: Map<string, { blocked: boolean }>;
    blocks: Map<string, BrevoBlock>;
    block(email: string, b: Partial<BrevoBlock>): void;
    throttle(times: number, resetSeconds: number, extra?: Record<string, string>): void;
  }
> {
  const contacts = new Map<string, { blocked: boolean }>();
  /** The transactional blocked list, in order of record creation. */
  const blocks = new Map<string, BrevoBlock>();
  let throttled: Array<{ reset: number; extra: Record<string, string> }> = [];
  const block = (email: string, b: Partial<BrevoBlock>) => {
    blocks.delete(email);
    blocks.set(email, {
      code: b.code ?? 'adminBlocked',
      senderEmail: b.senderEmail ?? null,
      blockedAt: b.blockedAt ?? Date.now(),
    });
  };
  const setBlacklisted = (email: string, on: boolean) => {
    contacts.set(email, { blocked: on });
    if (on && !blocks.has(email)) block(email, { code: 'unsubscribedViaApi' });
    if (!on) blocks.delete(email);
  };
  const s = await listen((req, body, res) => {
    if (req.headers['api-key'] !== apiKey)
      return json(res, 401, { code: 'unauthorized', message: 'Key not found' });
    const t = throttled.shift();
    if (t) {
      res.writeHead(429, {
        'content-type': 'application/json',
        'x-sib-ratelimit-limit': '100',
        'x-sib-ratelimit-remaining': '0',
        'x-sib-ratelimit-reset': String(t.reset),
        ...t.extra,
      });
      res.end(JSON.stringify({ code: 'too_many_requests', message: 'Too many requests' }));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    let m: RegExpExecArray | null;
    if (req.method === 'PUT' && (m = /^\/v3\/contacts\/([^/]+)$/.exec(path))) {
      const email = decodeURIComponent(m[1]!);
      const c = contacts.get(email);
      if (!c)
        return json(res, 404, { code: 'document_not_found', message: 'Contact does not exist' });
      const b = JSON.parse(body) as { emailBlacklisted?: boolean };
      if (b.emailBlacklisted !== undefined) setBlacklisted(email, b.emailBlacklisted);
      return json(res, 204, null);
    }
    if (req.method === 'POST' && path === '/v3/contacts') {
      const b = JSON.parse(body) as { email?: string; emailBlacklisted?: boolean };
      if (!b.email) return json(res, 400, badRequest('email is missing'));
      if (contacts.has(b.email))
        return json(res, 400, { code: 'duplicate_parameter', message: 'Contact already exist' });
      setBlacklisted(b.email, b.emailBlacklisted ?? false);
      return json(res, 201, { id: contacts.size });
    }
    if (req.method === 'DELETE' && (m = /^\/v3\/smtp\/blockedContacts\/([^/]+)$/.exec(path))) {
      const email = decodeURIComponent(m[1]!);
      if (!blocks.has(email))
        return json(res, 404, { code: 'document_not_found', message: 'Contact is not blocked' });
      setBlacklisted(email, false);
      return json(res, 204, null);
    }
    if (req.method === 'GET' && path === '/v3/smtp/blockedContacts') {
      const q = url.searchParams;
      const start = q.get('startDate');
      const end = q.get('endDate');
      const limit = Number(q.get('limit') ?? 50);
      const offset = Number(q.get('offset') ?? 0);
      const sort = q.get('sort') ?? 'desc';
      if ((start === null) !== (end === null))
        return json(res, 400, badRequest('startDate and endDate must be given together'));
      if ((start !== null && !DAY.test(start)) || (end !== null && !DAY.test(end)))
        return json(res, 400, badRequest('dates must be YYYY-MM-DD'));
      const today = new Date().toISOString().slice(0, 10);
      if ((start !== null && start > today) || (end !== null && end > today))
        return json(res, 400, badRequest('dates cannot be in the future'));
      if (!Number.isInteger(limit) || limit < 0 || limit > 100)
        return json(res, 400, badRequest('limit must be between 0 and 100'));
      if (!Number.isInteger(offset) || offset < 0)
        return json(res, 400, badRequest('offset must be a positive integer'));
      if (sort !== 'asc' && sort !== 'desc')
        return json(res, 400, badRequest('sort must be asc or desc'));
      const from = start === null ? -Infinity : Date.parse(`${start}T00:00:00Z`);
      const to = end === null ? Infinity : Date.parse(`${end}T00:00:00Z`) + 86_400_000;
      const all = [...blocks].filter(([, b]) => b.blockedAt >= from && b.blockedAt < to);
      if (sort === 'desc') all.reverse();
      const contactsPage = all.slice(offset, offset + limit).map(([email, b]) => ({
        email,
        senderEmail: b.senderEmail,
        reason: { code: b.code, message: MESSAGES[b.code] },
        blockedAt: new Date(b.blockedAt).toISOString().replace('.000Z', 'Z'),
      }));
      return json(res, 200, { contacts: contactsPage, count: all.length });
    }
    return json(res, 404, { code: 'not_found', message: 'no such endpoint' });
  });
  return Object.assign(s, {
    contacts,
    blocks,
    block,
    throttle: (times: number, resetSeconds: number, extra: Record<string, string> = {}) => {
      throttled = [
        ...throttled,
        ...new Array<{ reset: number; extra: Record<string, string> }>(times).fill({
          reset: resetSeconds,
          extra,
        }),
      ];
    },
  });
}
