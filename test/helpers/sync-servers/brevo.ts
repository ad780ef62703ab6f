import { json, listen, type LocalProviderServer } from './local-server.js';

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
